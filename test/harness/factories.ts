import { randomBytes } from 'node:crypto';
import type { TestApp } from './test-app.js';

export const PASSWORD = 'Kolme-sinistä-kissaa-juoksee';

let seq = 0;
const unique = () => `${Date.now().toString(36)}${(seq++).toString(36)}${randomBytes(2).toString('hex')}`;

/** An agency through the admin API (invented names only). */
export async function anAgency(t: TestApp, overrides: Record<string, unknown> = {}): Promise<{ id: string; name: string }> {
  const res = await t.admin.post('/api/v1/agencies').send({ name: `Agency ${unique()}`, kind: 'social_services', email: `mailbox-${unique()}@agency.test`, ...overrides });
  if (res.status !== 201) throw new Error(`agency: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export async function aGroup(t: TestApp, agencyIds: string[] = [], overrides: Record<string, unknown> = {}): Promise<{ id: string; version: number }> {
  const res = await t.admin.post('/api/v1/groups').send({ name: `Group ${unique()}`, area: 'Testialue', ...overrides });
  if (res.status !== 201) throw new Error(`group: ${res.status} ${JSON.stringify(res.body)}`);
  for (const agencyId of agencyIds) await t.admin.put(`/api/v1/groups/${res.body.id}/agencies/${agencyId}`).expect(200);
  return res.body;
}

export interface TestUser {
  id: string;
  email: string;
  accessToken: string;
  refreshToken: string;
}

/** A user with roles, logged in. */
export async function aUser(t: TestApp, agencyId: string | null, roles: { role: string; groupId?: string }[]): Promise<TestUser> {
  const email = `user-${unique()}@agency.test`;
  const res = await t.admin.post('/api/v1/users').send({ email, name: 'Testi Käyttäjä', ...(agencyId ? { agencyId } : {}), password: PASSWORD, roles });
  if (res.status !== 201) throw new Error(`user: ${res.status} ${JSON.stringify(res.body)}`);
  const tokens = await t.login(email, PASSWORD);
  return { id: res.body.id, email, ...tokens };
}
