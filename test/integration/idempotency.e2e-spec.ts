import { Body, Controller, HttpCode, Module, Post } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { IsString, MaxLength } from 'class-validator';
import { DataSource } from 'typeorm';
import { RequirePermission } from '../../src/common/auth/permissions.js';
import { Problem } from '../../src/common/problems/problem.js';
import { startTestApp, type TestApp } from '../harness/test-app.js';

class CreateThingDto {
  @IsString() @MaxLength(100) name: string;
}

/** Lets a test hold a request inside the handler, to race a retry against it. */
const gate = { wait: Promise.resolve() as Promise<void> };

@Controller('probe/things')
class ProbeController {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  @Post()
  @RequirePermission('test-clock:use') // any authenticated permission: keys are scoped per user
  async create(@Body() dto: CreateThingDto) {
    await gate.wait;
    if (dto.name === 'refuse me') throw Problem.unprocessable('probe-refused', 'Refused');
    const [row] = await this.db.query(`INSERT INTO probe_things (name) VALUES ($1) RETURNING id, name`, [dto.name]);
    return row;
  }

  @Post('echo')
  @HttpCode(200)
  @RequirePermission('test-clock:use') // any authenticated permission: keys are scoped per user
  async echo(@Body() dto: CreateThingDto) {
    return { echoed: dto.name.length };
  }
}

@Module({ controllers: [ProbeController] })
class ProbeModule {}

describe('Idempotency-Key on POST', () => {
  let t: TestApp;
  const count = async () => Number((await t.app.get(DataSource).query(`SELECT count(*) FROM probe_things`))[0].count);

  beforeAll(async () => {
    t = await startTestApp({ imports: [ProbeModule] });
    await t.app.get(DataSource).query(`CREATE TABLE probe_things (id serial PRIMARY KEY, name text NOT NULL)`);
  });
  afterAll(() => t?.close());

  const post = (key: string | undefined, body: object, path = '/api/v1/probe/things') => {
    const r = t.admin.post(path).send(body);
    return key === undefined ? r : r.set('Idempotency-Key', key);
  };

  it('returns the first response again for a retry with the same key and body, creating once', async () => {
    const before = await count();
    const first = await post('k-retry', { name: 'Aino Virtanen' }).expect(201);
    const again = await post('k-retry', { name: 'Aino Virtanen' }).expect(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(await count()).toBe(before + 1);
  });

  it('replays the status the handler declared', async () => {
    await post('k-echo', { name: 'x' }, '/api/v1/probe/things/echo').expect(200);
    const again = await post('k-echo', { name: 'x' }, '/api/v1/probe/things/echo').expect(200);
    expect(again.body).toEqual({ echoed: 1 });
  });

  it('refuses the same key with another body 422', async () => {
    await post('k-body', { name: 'one' }).expect(201);
    const res = await post('k-body', { name: 'two' }).expect(422);
    expect(res.body.type).toBe('https://marak.example/problems/idempotency-key-reused');
  });

  it('treats the same key on another route as another request (422)', async () => {
    await post('k-route', { name: 'z' }).expect(201);
    await post('k-route', { name: 'z' }, '/api/v1/probe/things/echo').expect(422);
  });

  it('answers 409 to a retry while the first request is still running, then replays', async () => {
    let open!: () => void;
    gate.wait = new Promise((r) => (open = r));
    const before = await count();
    const first = post('k-race', { name: 'slow' }).then((r) => r);
    // The first request is inside the handler once its key row exists.
    const db = t.app.get(DataSource);
    for (let i = 0; i < 200; i++) {
      const rows = await db.query(`SELECT 1 FROM idempotency_keys WHERE key = 'k-race'`);
      if (rows.length) break;
      await new Promise((r) => setImmediate(r));
    }
    const second = await post('k-race', { name: 'slow' }).expect(409);
    expect(second.body.type).toBe('https://marak.example/problems/idempotency-request-in-progress');
    open();
    gate.wait = Promise.resolve();
    expect((await first).status).toBe(201);
    const third = await post('k-race', { name: 'slow' }).expect(201);
    expect(third.body).toEqual((await first).body);
    expect(await count()).toBe(before + 1);
  });

  it('forgets the key when the first attempt is refused, so a corrected retry runs', async () => {
    await post('k-refused', { name: 'refuse me' }).expect(422);
    const rows = await t.app.get(DataSource).query(`SELECT 1 FROM idempotency_keys WHERE key = 'k-refused'`);
    expect(rows).toHaveLength(0);
    await post('k-refused', { name: 'refuse me' }).expect(422); // ran again, not replayed
    await post('k-refused', { name: 'accepted now' }).expect(201);
  });

  it('stores the replayed response encrypted, never in plain text', async () => {
    await post('k-secret', { name: 'Eero Esimerkki' }).expect(201);
    const [row] = await t.app.get(DataSource).query(`SELECT response_enc FROM idempotency_keys WHERE key = 'k-secret'`);
    expect(Buffer.isBuffer(row.response_enc)).toBe(true);
    expect(row.response_enc.toString('latin1')).not.toContain('Eero');
  });

  it('creates again when no key is sent', async () => {
    const before = await count();
    await post(undefined, { name: 'twice' }).expect(201);
    await post(undefined, { name: 'twice' }).expect(201);
    expect(await count()).toBe(before + 2);
  });

  it('refuses a malformed key 400', async () => {
    const res = await post('has spaces in it', { name: 'a' }).expect(400);
    expect(res.body.type).toBe('https://marak.example/problems/invalid-idempotency-key');
  });

  it('lets a key be used afresh after it expired (24 hours)', async () => {
    const first = await post('k-expire', { name: 'old' }).expect(201);
    t.clock.advance(25 * 60 * 60 * 1000);
    await t.renewAdmin(); // the access token did not outlive the day
    const later = await post('k-expire', { name: 'new' }).expect(201);
    expect(later.body.id).not.toBe(first.body.id);
  });
});
