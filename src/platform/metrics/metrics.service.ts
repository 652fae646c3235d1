import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { PerformanceObserver, constants, type PerformanceEntry } from 'node:perf_hooks';
import { Histogram, Registry, collectDefaultMetrics } from 'prom-client';

const GC_KINDS: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};

/** One Prometheus registry per application (not the global one, so tests can run many apps). */
@Injectable()
export class MetricsService implements OnModuleDestroy {
  readonly registry = new Registry();
  readonly httpDuration = new Histogram({
    name: 'marak_http_request_duration_seconds',
    help: 'HTTP request latency by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    // 20, 25 and 50 ms are the p99 targets of the inbox, the case read and a referral (bench/).
    buckets: [0.005, 0.01, 0.02, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  /**
   * Every garbage-collection pause. prom-client's own `nodejs_gc_duration_seconds` (15.1.3)
   * records only the first entry of each batch its observer is handed, and Node hands over the
   * pauses of an event-loop turn in one batch, so it undercounts most when the process is
   * busiest. Buckets down to a millisecond: a 10–50 ms pause stalls every request of the process.
   */
  readonly gcPauses = new Histogram({
    name: 'marak_gc_pause_seconds',
    help: 'Every garbage-collection pause by kind (minor, major, incremental, weakcb)',
    labelNames: ['kind'] as const,
    buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.5, 1, 5],
    registers: [this.registry],
  });
  private readonly gcObserver = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = (entry as PerformanceEntry & { detail?: { kind?: number } | null }).detail?.kind;
      this.gcPauses.observe({ kind: (kind !== undefined && GC_KINDS[kind]) || 'other' }, entry.duration / 1000);
    }
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'marak_' });
    this.gcObserver.observe({ entryTypes: ['gc'] });
  }

  onModuleDestroy(): void {
    this.gcObserver.disconnect();
  }
}
