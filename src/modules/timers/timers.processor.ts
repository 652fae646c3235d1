import { InjectQueue, Processor } from '@nestjs/bullmq';
import { Inject, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Job, Queue } from 'bullmq';
import type { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { type JobHandler } from '../../platform/queues/job-processor.js';
import { ReconcilingProcessor } from '../../platform/queues/reconciling-processor.js';
import { TimerEngine } from './timer-engine.js';
import { TimerHandlerRegistry } from './timer-handler.registry.js';
import { RECONCILE_EVERY_MS, TIMER_FIRE_JOB, TIMERS_QUEUE, TIMERS_RECONCILE_JOB, TIMERS_RECONCILE_SCHEDULER, type TimerFireJobData } from './timer-jobs.js';
import { assertTimerCatalog, expectedTimerKinds } from './timer-kinds.js';

/**
 * The worker side of timers: `timer.fire` wake-ups (one timer each) and `timers.reconcile`
 * (every minute from a BullMQ job scheduler re-declared at each start, with an in-process
 * interval under the reconciler's advisory lock as the floor when Redis has lost everything).
 */
@Processor(TIMERS_QUEUE, { concurrency: 4 })
export class TimersProcessor extends ReconcilingProcessor implements OnApplicationBootstrap {
  readonly queue = TIMERS_QUEUE;
  protected readonly logger = new Logger(TimersProcessor.name);

  constructor(
    private readonly engine: TimerEngine,
    private readonly registry: TimerHandlerRegistry,
    @InjectQueue(TIMERS_QUEUE) private readonly timers: Queue,
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super();
  }

  handlers(): Record<string, JobHandler> {
    return {
      [TIMER_FIRE_JOB]: async (job: Job<TimerFireJobData>) => ({ outcome: await this.engine.fire(job.data.timerId) }),
      [TIMERS_RECONCILE_JOB]: async () => this.runReconcile(this.reconcile()),
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    const pending: Array<{ kind: string }> = await this.db.query(`SELECT DISTINCT kind FROM timers WHERE state = 'pending'`);
    assertTimerCatalog(this.registry.kinds(), expectedTimerKinds(this.config.testClock), pending.map((p) => p.kind));
    await this.startReconciler(this.timers, TIMERS_RECONCILE_SCHEDULER, TIMERS_RECONCILE_JOB, RECONCILE_EVERY_MS);
  }

  protected reconcile() {
    return this.engine.reconcile();
  }
}
