import type { RedisOptions } from 'ioredis';

/**
 * ioredis options from a `redis://` or `rediss://` URL, honouring the db index in the path.
 * `role` follows BullMQ's advice: workers wait an outage out (`maxRetriesPerRequest: null`),
 * producers in the API fail fast (`enableOfflineQueue: false`) so requests answer 503.
 */
/** What makes a connection a worker's: commands wait for Redis to come back instead of failing. */
export const WORKER_REDIS_OPTIONS = { maxRetriesPerRequest: null, enableReadyCheck: false, enableOfflineQueue: true, connectionName: 'marak-worker' } satisfies RedisOptions;

export function redisOptions(url: string, role: 'worker' | 'producer' | 'client'): RedisOptions {
  const u = new URL(url);
  const db = u.pathname && u.pathname !== '/' ? Number(u.pathname.slice(1)) : 0;
  if (!Number.isInteger(db) || db < 0) throw new RangeError('REDIS_URL has an invalid database index');
  const base: RedisOptions = {
    host: u.hostname || '127.0.0.1',
    port: u.port ? Number(u.port) : 6379,
    db,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
    connectionName: `marak-${role}`,
  };
  if (role === 'worker') return { ...base, ...WORKER_REDIS_OPTIONS };
  if (role === 'producer') return { ...base, enableOfflineQueue: false };
  return { ...base, maxRetriesPerRequest: 1, connectTimeout: 2000 };
}
