import { Controller, Get, Module } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { ModulesContainer } from '@nestjs/core';
import { REQUIRED_PERMISSION } from '../../src/common/auth/permissions.js';
import { IS_PUBLIC } from '../../src/common/auth/public.decorator.js';
import { PASSWORD, aGroup, aUser, anAgency, type TestUser } from '../harness/factories.js';
import { startTestApp, type TestApp } from '../harness/test-app.js';

@Controller('probe/undeclared')
class UndeclaredController {
  @Get()
  open() {
    return { leaked: true };
  }
}
@Module({ controllers: [UndeclaredController] })
class UndeclaredModule {}

describe('authorization', () => {
  let t: TestApp;
  let groupA: { id: string };
  let groupB: { id: string };
  let police: { id: string };
  let social: { id: string };
  let users: Record<'coordA' | 'chairA' | 'repA' | 'referrerA' | 'analystA' | 'coordB', TestUser>;

  beforeAll(async () => {
    t = await startTestApp({ imports: [UndeclaredModule] });
    police = await anAgency(t, { kind: 'police' });
    social = await anAgency(t, { kind: 'social_services' });
    groupA = await aGroup(t, [police.id, social.id]);
    const housing = await anAgency(t, { kind: 'housing' });
    groupB = await aGroup(t, [housing.id]);
    users = {
      coordA: await aUser(t, social.id, [{ role: 'coordinator', groupId: groupA.id }]),
      chairA: await aUser(t, police.id, [{ role: 'chair', groupId: groupA.id }]),
      repA: await aUser(t, police.id, [{ role: 'agency_rep', groupId: groupA.id }]),
      referrerA: await aUser(t, police.id, [{ role: 'referrer', groupId: groupA.id }]),
      analystA: await aUser(t, null, [{ role: 'analyst', groupId: groupA.id }]),
      coordB: await aUser(t, housing.id, [{ role: 'coordinator', groupId: groupB.id }]),
    };
  });
  afterAll(() => t?.close());

  it('every registered route declares a permission or is explicitly public', () => {
    const undeclared: string[] = [];
    let walked = 0;
    for (const module of t.app.get(ModulesContainer).values()) {
      for (const wrapper of module.controllers.values()) {
        const cls = wrapper.metatype as (new (...a: unknown[]) => object) | undefined;
        if (!cls || cls === UndeclaredController) continue;
        for (const name of Object.getOwnPropertyNames(cls.prototype)) {
          const handler = cls.prototype[name];
          if (name === 'constructor' || typeof handler !== 'function' || Reflect.getMetadata(PATH_METADATA, handler) === undefined) continue;
          walked++;
          const declared =
            Reflect.getMetadata(IS_PUBLIC, handler) || Reflect.getMetadata(IS_PUBLIC, cls) || Reflect.getMetadata(REQUIRED_PERMISSION, handler) || Reflect.getMetadata(REQUIRED_PERMISSION, cls);
          if (!declared) undeclared.push(`${Reflect.getMetadata(METHOD_METADATA, handler)} ${cls.name}.${name}`);
        }
      }
    }
    expect(walked).toBeGreaterThan(15);
    expect(undeclared).toEqual([]);
  });

  it('refuses a route that declares nothing, even to the admin (default deny)', async () => {
    const res = await t.admin.get('/api/v1/probe/undeclared').expect(403);
    expect(res.body.type).toBe('https://marak.example/problems/permission-not-declared');
    expect(JSON.stringify(res.body)).not.toContain('leaked');
  });

  const adminOnly: Array<[string, string, () => object]> = [
    ['POST', '/api/v1/agencies', () => ({ name: 'Rogue agency', kind: 'other', email: 'x@agency.test' })],
    ['GET', '/api/v1/users', () => ({})],
    ['POST', '/api/v1/users', () => ({ email: 'rogue@agency.test', name: 'Rogue', password: PASSWORD, roles: [{ role: 'admin' }] })],
    ['POST', '/api/v1/groups', () => ({ name: 'Rogue group', area: 'x' })],
    ['GET', '/api/v1/audit', () => ({})],
    ['GET', '/api/v1/audit/verify', () => ({})],
  ];

  it.each(['coordA', 'chairA', 'repA', 'referrerA', 'analystA'] as const)('refuses admin functions to a %s (BFLA): 403', async (who) => {
    for (const [method, path, body] of adminOnly) {
      const agent = t.as(users[who].accessToken);
      const res = await (method === 'GET' ? agent.get(path) : agent.post(path).send(body()));
      expect({ who, method, path, status: res.status }).toEqual({ who, method, path, status: 403 });
    }
  });

  it('lets an agency representative not change group settings (coordinator function): 403', async () => {
    await t.as(users.repA.accessToken).patch(`/api/v1/groups/${groupA.id}/settings`).send({ minutesPerCase: 10 }).expect(403);
    await t.as(users.referrerA.accessToken).patch(`/api/v1/groups/${groupA.id}/settings`).send({ minutesPerCase: 10 }).expect(403);
  });

  it('hides another group from a coordinator: 404, not 403 (BOLA)', async () => {
    const seen = await t.as(users.coordB.accessToken).get(`/api/v1/groups/${groupA.id}`).expect(404);
    const missing = await t.as(users.coordB.accessToken).get(`/api/v1/groups/00000000-0000-4000-8000-000000000000`).expect(404);
    expect(seen.body.detail).toBe(missing.body.detail);
    await t.as(users.coordB.accessToken).patch(`/api/v1/groups/${groupA.id}/settings`).send({ minutesPerCase: 10 }).expect(404);
    const list = await t.as(users.coordB.accessToken).get('/api/v1/groups').expect(200);
    expect(list.body.items.map((g: { id: string }) => g.id)).toEqual([groupB.id]);
  });

  it('lets the group’s own coordinator change its settings, with optimistic locking', async () => {
    const before = (await t.as(users.coordA.accessToken).get(`/api/v1/groups/${groupA.id}`).expect(200)).body;
    expect(before.settings).toMatchObject({ minutesPerCase: 15, maxCasesPerConference: 15, referralCutoffWorkingDays: 8, requireConsent: true, repeatWindowMonths: 12 });
    const after = await t.as(users.coordA.accessToken).patch(`/api/v1/groups/${groupA.id}/settings`).set('If-Match', String(before.version)).send({ minutesPerCase: 12 }).expect(200);
    expect(after.body.settings.minutesPerCase).toBe(12);
    const stale = await t.as(users.coordA.accessToken).patch(`/api/v1/groups/${groupA.id}/settings`).set('If-Match', String(before.version)).send({ minutesPerCase: 20 }).expect(409);
    expect(stale.body.type).toBe('https://marak.example/problems/version-conflict');
  });

  it('refuses an invalid cadence and unknown settings 400', async () => {
    const res = await t.admin.patch(`/api/v1/groups/${groupA.id}/settings`).send({ cadence: 'every second tuesday', colour: 'red' }).expect(400);
    expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['cadence', 'colour']);
  });

  it('refuses a role in a group the user’s agency is not a member of: 422', async () => {
    const res = await t.admin.post('/api/v1/users').send({ email: 'cross@agency.test', name: 'Risti', agencyId: social.id, password: PASSWORD, roles: [{ role: 'agency_rep', groupId: groupB.id }] }).expect(422);
    expect(res.body.type).toBe('https://marak.example/problems/invalid-role-grant');
  });

  it('records every administrative change in the audit log, and the chain verifies', async () => {
    const res = await t.admin.get('/api/v1/audit').query({ objectType: 'group', objectId: groupA.id }).expect(200);
    const actions = res.body.items.map((i: { action: string }) => i.action);
    expect(actions).toEqual(expect.arrayContaining(['group.create', 'group.agency.add', 'group.settings.update']));
    const verify = await t.admin.get('/api/v1/audit/verify').expect(200);
    expect(verify.body.valid).toBe(true);
  });
});
