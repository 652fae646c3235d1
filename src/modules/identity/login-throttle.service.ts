import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { Redis } from 'ioredis';
import { RateLimiterRedis, type RateLimiterRes } from 'rate-limiter-flexible';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { Problem } from '../../common/problems/problem.js';
import { redisOptions } from '../../platform/redis/redis-options.js';

/** Failed logins allowed per account and per client address before a pause. */
export const ACCOUNT_FAILURES = 5;
export const ADDRESS_FAILURES = 30;
export const WINDOW_S = 15 * 60;
export const BLOCK_S = 15 * 60;

/**
 * Brute-force protection with its state in Redis, so it holds across API replicas. Failures
 * are counted per account and per client address; past the limit the login is answered 429
 * with Retry-After until the block expires: an attacker can slow an account down, never lock
 * it for good. A successful login clears the account's count.
 */
@Injectable()
export class LoginThrottle implements OnModuleDestroy {
  private readonly redis: Redis;
  private readonly perAccount: RateLimiterRedis;
  private readonly perAddress: RateLimiterRedis;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.redis = new Redis({ ...redisOptions(config.redisUrl!, 'client'), enableOfflineQueue: true });
    this.redis.on('error', () => undefined);
    const base = { storeClient: this.redis, duration: WINDOW_S, blockDuration: BLOCK_S };
    this.perAccount = new RateLimiterRedis({ ...base, points: ACCOUNT_FAILURES, keyPrefix: `${config.queuePrefix}-login-account` });
    this.perAddress = new RateLimiterRedis({ ...base, points: ADDRESS_FAILURES, keyPrefix: `${config.queuePrefix}-login-address` });
  }

  /** Refuses with 429 while either counter is blocked. */
  async check(account: string, address: string): Promise<void> {
    const [a, b] = await Promise.all([this.perAccount.get(account), this.perAddress.get(address)]);
    const waits = [a, b].filter((r): r is RateLimiterRes => r !== null && r.remainingPoints <= 0 && r.msBeforeNext > 0).map((r) => r.msBeforeNext);
    if (waits.length) throw tooMany(Math.max(...waits));
  }

  async failed(account: string, address: string): Promise<void> {
    const results = await Promise.allSettled([this.perAccount.consume(account), this.perAddress.consume(address)]);
    const blocked = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason);
    for (const reason of blocked) if (reason instanceof Error) throw reason; // Redis trouble: fail closed
    if (blocked.length) throw tooMany(Math.max(...blocked.map((r: RateLimiterRes) => r.msBeforeNext)));
  }

  async succeeded(account: string): Promise<void> {
    await this.perAccount.delete(account);
  }

  onModuleDestroy(): void {
    this.redis.disconnect();
  }
}

function tooMany(ms: number): Problem {
  const retryAfter = Math.max(1, Math.ceil(ms / 1000));
  return new Problem(429, 'too-many-login-attempts', 'Too Many Requests', `Too many failed logins. Try again in ${retryAfter} seconds.`, { retryAfter });
}
