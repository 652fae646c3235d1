import { Injectable } from '@nestjs/common';
import { Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** One Prometheus registry per application (not the global one, so tests can run many apps). */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  readonly httpDuration = new Histogram({
    name: 'marak_http_request_duration_seconds',
    help: 'HTTP request latency by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    // 20, 25 and 50 ms are the p99 targets of the inbox, the case read and a referral (bench/).
    buckets: [0.005, 0.01, 0.02, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  constructor() {
    // GC pauses finer than prom-client's default (1, 10, 100 ms…): a 10–50 ms pause is what
    // stalls every request of the process behind it.
    collectDefaultMetrics({ register: this.registry, prefix: 'marak_', gcDurationBuckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.5, 1, 5] });
  }
}
