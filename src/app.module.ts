import { BullModule } from '@nestjs/bullmq';
import { Global, Module, type DynamicModule, type MiddlewareConsumer, type NestModule, type Provider, type Type } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { ConnectionOptions } from 'bullmq';
import { LoggerModule } from 'nestjs-pino';
import { IdempotencyInterceptor } from './common/idempotency/idempotency.interceptor.js';
import { IdempotencyService } from './common/idempotency/idempotency.service.js';
import { ProblemFilter } from './common/problems/problem.filter.js';
import { RequestContextMiddleware } from './common/request-context.middleware.js';
import { APP_CONFIG, type AppConfig } from './config/app-config.js';
import { ActionsModule } from './modules/actions/actions.module.js';
import { AuditApiModule } from './modules/audit/audit-api.module.js';
import { AuditHeadProcessor } from './modules/audit/audit-head.processor.js';
import { AuditModule } from './modules/audit/audit.module.js';
import { CasesModule } from './modules/cases/cases.module.js';
import { ConferencesModule } from './modules/conferences/conferences.module.js';
import { GroupsModule } from './modules/groups/groups.module.js';
import { HealthModule } from './modules/health/health.module.js';
import { PeopleModule } from './modules/people/people.module.js';
import { ReferralsModule } from './modules/referrals/referrals.module.js';
import { RetentionModule } from './modules/retention/retention.module.js';
import { RetentionProcessor } from './modules/retention/retention.processor.js';
import { StatisticsModule } from './modules/statistics/statistics.module.js';
import { IdentityModule } from './modules/identity/identity.module.js';
import { NotificationsModule } from './modules/notifications/notifications.module.js';
import { NotificationsProcessor } from './modules/notifications/notifications.processor.js';
import { ProbeTimerModule } from './modules/timers/testing/probe-timer.module.js';
import { TimersModule } from './modules/timers/timers.module.js';
import { TimersProcessor } from './modules/timers/timers.processor.js';
import { Clock, SystemClock, TestClock } from './platform/clock/clock.js';
import { TestClockController } from './platform/clock/test-clock.controller.js';
import { FieldCryptoService } from './platform/crypto/field-crypto.service.js';
import { dataSourceOptions } from './platform/database/data-source-options.js';
import { pinoHttpOptions } from './platform/logging/logger.js';
import { MailerService } from './platform/mail/mailer.service.js';
import { HttpMetricsMiddleware } from './platform/metrics/http-metrics.middleware.js';
import { MetricsController } from './platform/metrics/metrics.controller.js';
import { MetricsService } from './platform/metrics/metrics.service.js';
import { assertJobCatalog, type JobProcessor } from './platform/queues/job-processor.js';
import { MaintenanceProcessor } from './platform/queues/maintenance.processor.js';
import { QUEUE_EVENTS_MAX_LEN, QUEUE_NAMES } from './platform/queues/queue-catalog.js';
import { QueueMetrics } from './platform/queues/queue-metrics.js';
import { WaitingWorker } from './platform/queues/waiting-worker.js';
import { redisOptions } from './platform/redis/redis-options.js';

// Processors' workers wait out a Redis outage; the queues' producers fail fast (see waiting-worker.ts).
BullModule.workerClass = WaitingWorker;

/** Configuration after the launcher has filled in the database and Redis URLs. */
export type ResolvedConfig = AppConfig & { databaseUrl: string; redisUrl: string };

export interface AppModuleOptions {
  config: ResolvedConfig;
  /** Supplied by tests to move time; otherwise chosen from MARAK_TEST_CLOCK. */
  clock?: Clock;
  /** Extra modules (tests of platform pieces that need a route of their own). */
  imports?: Type<unknown>[];
}

/** What every role needs: configuration, clock, logs, database, queues, mail, metrics. */
@Global()
@Module({})
class PlatformModule {
  static register({ config, clock }: AppModuleOptions): DynamicModule {
    const providers: Provider[] = [
      { provide: APP_CONFIG, useValue: config },
      { provide: Clock, useValue: clock ?? (config.testClock ? new TestClock() : new SystemClock()) },
      FieldCryptoService,
      MailerService,
      MetricsService,
      QueueMetrics,
      IdempotencyService,
    ];
    const queues = BullModule.registerQueue(
      ...QUEUE_NAMES.map((name) => ({ name, connection: redisOptions(config.redisUrl, 'producer') as ConnectionOptions, streams: { events: { maxLen: QUEUE_EVENTS_MAX_LEN } } })),
    );
    return {
      module: PlatformModule,
      imports: [
        LoggerModule.forRoot({ pinoHttp: pinoHttpOptions(config.logLevel) }),
        TypeOrmModule.forRoot({ ...dataSourceOptions(config.databaseUrl), autoLoadEntities: true }),
        BullModule.forRoot({ connection: redisOptions(config.redisUrl, 'worker') as ConnectionOptions, prefix: config.queuePrefix }),
        queues,
      ],
      providers,
      exports: [...providers.map((p) => (typeof p === 'function' ? p : (p as { provide: unknown }).provide)), queues] as never,
    };
  }
}

/** Every queue processor. The worker refuses to start unless each catalogued job has one handler. */
const PROCESSORS: Type<JobProcessor>[] = [MaintenanceProcessor, AuditHeadProcessor, TimersProcessor, NotificationsProcessor, RetentionProcessor];
const JOB_CATALOG_CHECK = Symbol('JOB_CATALOG_CHECK');

@Module({})
class WorkerModule {
  static register(): DynamicModule {
    return {
      module: WorkerModule,
      imports: [AuditModule, TimersModule, NotificationsModule, RetentionModule],
      providers: [
        ...PROCESSORS,
        {
          provide: JOB_CATALOG_CHECK,
          inject: PROCESSORS,
          useFactory: (...processors: JobProcessor[]) => assertJobCatalog(processors),
        },
      ],
    };
  }
}

@Module({})
class ApiModule implements NestModule {
  static register(config: ResolvedConfig): DynamicModule {
    return {
      module: ApiModule,
      imports: [HealthModule, AuditApiModule, IdentityModule, GroupsModule, StatisticsModule],
      controllers: [MetricsController, ...(config.testClock ? [TestClockController] : [])],
      providers: [
        { provide: APP_FILTER, useClass: ProblemFilter },
        { provide: APP_INTERCEPTOR, useClass: IdempotencyInterceptor },
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(HttpMetricsMiddleware, RequestContextMiddleware).forRoutes('*path');
  }
}

@Module({})
export class AppModule {
  static register(options: AppModuleOptions, role = options.config.role): DynamicModule {
    const imports: Array<DynamicModule | Type<unknown>> = [
      PlatformModule.register(options),
      TimersModule,
      NotificationsModule,
      PeopleModule,
      CasesModule,
      ConferencesModule,
      ReferralsModule,
      ActionsModule,
      RetentionModule,
      ...(options.imports ?? []),
    ];
    // A timer kind for the timer engine's own tests; exists only with MARAK_TEST_CLOCK=true.
    if (options.config.testClock) imports.push(ProbeTimerModule);
    if (role === 'all' || role === 'api') imports.push(ApiModule.register(options.config));
    if (role === 'all' || role === 'worker') imports.push(WorkerModule.register());
    return { module: AppModule, imports };
  }
}
