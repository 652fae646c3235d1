import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { redisOptions } from '../../platform/redis/redis-options.js';

@Injectable()
export class RedisHealth implements OnModuleDestroy {
  private readonly client: Redis;

  constructor(@Inject(APP_CONFIG) config: AppConfig, private readonly indicators: HealthIndicatorService) {
    this.client = new Redis({ ...redisOptions(config.redisUrl!, 'client'), lazyConnect: true, enableOfflineQueue: false });
    this.client.on('error', () => undefined); // reported through the check, not as noise
  }

  async check(key: string) {
    return this.indicators
      .check(key)
      .attempt(async () => {
        if (this.client.status === 'wait' || this.client.status === 'end') await this.client.connect();
        const pong = await this.client.ping();
        if (pong !== 'PONG') throw new Error('unexpected ping reply');
      })
      .withTimeout(2000);
  }

  onModuleDestroy(): void {
    this.client.disconnect();
  }
}
