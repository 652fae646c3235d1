/**
 * How the test run finds PostgreSQL and Redis: exactly as `npm start` does (DATABASE_URL /
 * REDIS_URL when set, else the local servers, else embedded PostgreSQL and a redis-server from
 * PATH). global-setup.ts resolves them once and passes them to every test file through these
 * variables.
 */
export const ENV_PG_SERVER = 'MARAK_TEST_PG_SERVER';
export const ENV_TEMPLATE = 'MARAK_TEST_TEMPLATE_DB';
export const ENV_REDIS = 'MARAK_TEST_REDIS_URL';
export const ENV_RUN = 'MARAK_TEST_RUN_ID';

export function testEnvironment(): { pgServer: string; template: string; redisUrl: string; runId: string } {
  const pgServer = process.env[ENV_PG_SERVER];
  const template = process.env[ENV_TEMPLATE];
  const redisUrl = process.env[ENV_REDIS];
  const runId = process.env[ENV_RUN];
  if (!pgServer || !template || !redisUrl || !runId) {
    throw new Error('The test harness was not set up: run the tests with `npm test` (jest globalSetup).');
  }
  return { pgServer, template, redisUrl, runId };
}
