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
  private readonly perMfaUser: RateLimiterRedis;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.redis = new Redis({ ...redisOptions(config.redisUrl!, 'client'), enableOfflineQueue: true });
    this.redis.on('error', () => undefined);
    const base = { storeClient: this.redis, duration: WINDOW_S, blockDuration: BLOCK_S };
    this.perAccount = new RateLimiterRedis({ ...base, points: ACCOUNT_FAILURES, keyPrefix: `${config.queuePrefix}-login-account` });
    this.perAddress = new RateLimiterRedis({ ...base, points: ADDRESS_FAILURES, keyPrefix: `${config.queuePrefix}-login-address` });
    this.perMfaUser = new RateLimiterRedis({ ...base, points: ACCOUNT_FAILURES, keyPrefix: `${config.queuePrefix}-login-mfa` });
  }

  /**
   * Takes a point from the account's and the address's allowance before the password is
   * checked, atomically in Redis, so a burst of parallel guesses is counted as it happens;
   * refuses with 429 once either is spent. A successful login gives the points back.
   */
  async attempt(account: string, address: string): Promise<void> {
    await this.take([
      [this.perAccount, account],
      [this.perAddress, address],
    ]);
  }

  /**
   * Gives the points back after a correct password. Best effort: the login has succeeded, and a
   * Redis hiccup here must not turn it into an error (the counts expire by themselves).
   */
  async succeeded(account: string, address: string): Promise<void> {
    await Promise.all([this.perAccount.delete(account), this.perAddress.reward(address, 1)]).catch(() => undefined);
  }

  /** The same for the second factor: five wrong codes per user, then a pause. */
  async mfaAttempt(userId: string): Promise<void> {
    await this.take([[this.perMfaUser, userId]]);
  }

  /** Best effort, as `succeeded`: it runs after the session is committed and its tokens issued. */
  async mfaSucceeded(userId: string): Promise<void> {
    await this.perMfaUser.delete(userId).catch(() => undefined);
  }

  private async take(counters: Array<[RateLimiterRedis, string]>): Promise<void> {
    const results = await Promise.allSettled(counters.map(([limiter, key]) => limiter.consume(key)));
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason);
    // Redis trouble: fail closed, as 503 (the throttle cannot count, so no password is checked).
    if (refused.some((reason) => reason instanceof Error)) throw throttleUnavailable();
    if (refused.length) {
      // A refused attempt is not tried, so it costs the other counters nothing.
      await Promise.all(counters.filter((_, i) => results[i].status === 'fulfilled').map(([limiter, key]) => limiter.reward(key, 1)));
      throw tooMany(Math.max(...refused.map((r: RateLimiterRes) => r.msBeforeNext)));
    }
  }

  onModuleDestroy(): void {
    this.redis.disconnect();
  }
}

function throttleUnavailable(): Problem {
  return new Problem(503, 'service-unavailable', 'Service Unavailable', 'Logins are paused: the login throttle cannot be reached. Try again shortly.', { retryAfter: 30 });
}

function tooMany(ms: number): Problem {
  const retryAfter = Math.max(1, Math.ceil(ms / 1000));
  return new Problem(429, 'too-many-login-attempts', 'Too Many Requests', `Too many failed logins. Try again in ${retryAfter} seconds.`, { retryAfter });
}
