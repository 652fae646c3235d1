import { redisOptions } from './redis-options.js';

describe('redisOptions', () => {
  it('honours host, port, credentials and the db index of the URL', () => {
    const o = redisOptions('redis://user:p%40ss@cache.internal:6380/3', 'client');
    expect(o).toMatchObject({ host: 'cache.internal', port: 6380, db: 3, username: 'user', password: 'p@ss' });
    expect(o.tls).toBeUndefined();
  });

  it('uses TLS for rediss:// and db 0 without a path', () => {
    const o = redisOptions('rediss://cache:6379', 'client');
    expect(o.tls).toEqual({});
    expect(o.db).toBe(0);
  });

  it('lets workers wait out an outage and makes producers fail fast', () => {
    expect(redisOptions('redis://x', 'worker').maxRetriesPerRequest).toBeNull();
    expect(redisOptions('redis://x', 'producer').enableOfflineQueue).toBe(false);
  });

  it('refuses a db index that is not a number', () => {
    expect(() => redisOptions('redis://x/abc', 'client')).toThrow(RangeError);
  });
});
