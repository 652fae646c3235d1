import pg from 'pg';
import { MIGRATION_POOL, dataSourceOptions } from './data-source-options.js';
import { PreparingClient } from './preparing-client.js';

describe('dataSourceOptions', () => {
  it('merges a caller’s pool options over the app’s, keeping the timeouts and the prepared statements', () => {
    const { extra } = dataSourceOptions('postgres://127.0.0.1/x', { extra: { max: 2, application_name: 'marak-cli' } }) as { extra: Record<string, unknown> };
    expect(extra).toMatchObject({ max: 2, application_name: 'marak-cli', connectionTimeoutMillis: 10_000, idleTimeoutMillis: 300_000, Client: PreparingClient });
  });

  it('runs migrations on plain pg clients (unprepared), with the app’s timeouts', async () => {
    const { extra } = dataSourceOptions('postgres://127.0.0.1/x', { extra: { ...MIGRATION_POOL, max: 2 } }) as { extra: Record<string, unknown> };
    expect(extra).toMatchObject({ max: 2, connectionTimeoutMillis: 10_000, Client: pg.Client });
    // The TypeORM CLI's data source (migration:run) uses the same pool.
    const cli = (await import('./data-source.js')).default;
    expect((cli.options as { extra: Record<string, unknown> }).extra.Client).toBe(pg.Client);
  });

  it('replaces other options whole', () => {
    expect(dataSourceOptions('postgres://127.0.0.1/x', { logging: true }).logging).toBe(true);
  });
});
