import { getQueueToken } from '@nestjs/bullmq';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { Queue } from 'bullmq';
import { Gauge } from 'prom-client';
import { MetricsService } from '../metrics/metrics.service.js';
import { QUEUE_NAMES } from './queue-catalog.js';

const STATES = ['waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized', 'waiting-children'] as const;

/** `marak_queue_jobs{queue,state}`: read from Redis at scrape time. */
@Injectable()
export class QueueMetrics implements OnModuleInit {
  constructor(private readonly metrics: MetricsService, private readonly moduleRef: ModuleRef) {}

  onModuleInit(): void {
    const queues = QUEUE_NAMES.map((name) => this.moduleRef.get<Queue>(getQueueToken(name), { strict: false }));
    new Gauge({
      name: 'marak_queue_jobs',
      help: 'Jobs per queue and state',
      labelNames: ['queue', 'state'] as const,
      registers: [this.metrics.registry],
      async collect() {
        for (const q of queues) {
          try {
            const counts = await q.getJobCounts(...STATES);
            for (const s of STATES) this.set({ queue: q.name, state: s }, counts[s] ?? 0);
          } catch {
            // Redis down: the scrape still answers; the health endpoint tells the outage.
          }
        }
      },
    });
  }
}
