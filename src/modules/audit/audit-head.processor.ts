import { InjectQueue, Processor } from '@nestjs/bullmq';
import type { OnApplicationBootstrap } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { JobProcessor, type JobHandler } from '../../platform/queues/job-processor.js';
import { AuditService } from './audit.service.js';

export const AUDIT_HEAD_EVERY_MS = 5 * 60 * 1000;

/** Every five minutes the chain's head is written outside the database (log line and file). */
@Processor('audit')
export class AuditHeadProcessor extends JobProcessor implements OnApplicationBootstrap {
  readonly queue = 'audit' as const;

  constructor(private readonly audit: AuditService, @InjectQueue('audit') private readonly auditQueue: Queue) {
    super();
  }

  handlers(): Record<string, JobHandler> {
    return {
      'audit.export-head': async () => {
        const head = await this.audit.exportHead();
        return head ? { seq: head.seq, hash: head.hash } : { seq: null };
      },
    };
  }

  /** Re-declared at every worker start: wiping Redis loses nothing. */
  async onApplicationBootstrap(): Promise<void> {
    await this.auditQueue.upsertJobScheduler(
      'audit-export-head',
      { every: AUDIT_HEAD_EVERY_MS },
      { name: 'audit.export-head', opts: { removeOnComplete: 100, removeOnFail: 1000 } },
    );
  }
}
