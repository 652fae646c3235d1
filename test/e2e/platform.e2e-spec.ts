import { startTestApp, type TestApp } from '../harness/test-app.js';
import { SmtpCatcher } from '../harness/smtp-catcher.js';

const PROBLEM = /^application\/problem\+json/;

describe('platform over HTTP', () => {
  let smtp: SmtpCatcher;
  let t: TestApp;

  beforeAll(async () => {
    smtp = await new SmtpCatcher().start();
    t = await startTestApp({ smtp });
  });

  afterAll(async () => {
    await t?.close();
    await smtp?.stop();
  });

  describe('health', () => {
    it('reports database, Redis and SMTP up without authentication', async () => {
      const res = await t.http.get('/api/v1/health').expect(200);
      expect(res.body.status).toBe('ok');
      expect(res.body.info.database.status).toBe('up');
      expect(res.body.info.redis.status).toBe('up');
      expect(res.body.info.smtp.status).toBe('up');
    });

    it('answers 503 naming SMTP when the mail server is gone, and recovers when it is back', async () => {
      const port = smtp.port;
      await smtp.stop();
      try {
        const down = await t.http.get('/api/v1/health').expect(503);
        expect(down.body.status).toBe('error');
        expect(down.body.error.smtp.status).toBe('down');
        expect(down.body.info.database.status).toBe('up');
      } finally {
        await smtp.start(port);
      }
      await t.http.get('/api/v1/health').expect(200);
    });
  });

  describe('errors are application/problem+json', () => {
    it('answers an unknown route 404 with a problem and the request id', async () => {
      const res = await t.http.get('/api/v1/no-such-thing').set('X-Request-Id', 'req-abc-123').expect(404);
      expect(res.headers['content-type']).toMatch(PROBLEM);
      expect(res.headers['x-request-id']).toBe('req-abc-123');
      expect(res.body).toMatchObject({ type: 'https://marak.example/problems/not-found', status: 404, title: 'Not Found' });
      expect(res.body.instance).toBe('urn:request:req-abc-123');
    });

    it('answers malformed JSON 400 without quoting the body back', async () => {
      const res = await t.http
        .post('/api/v1/test/clock')
        .set('Content-Type', 'application/json')
        .send('{"now": "Matti Meikäläinen"')
        .expect(400);
      expect(res.headers['content-type']).toMatch(PROBLEM);
      expect(res.body.type).toBe('https://marak.example/problems/malformed-json');
      expect(JSON.stringify(res.body)).not.toContain('Matti');
    });

    it('answers invalid and unknown fields 400 with one entry per field, values not echoed', async () => {
      const res = await t.admin.post('/api/v1/test/clock').send({ now: 'yesterday-ish', firstName: 'Maija' }).expect(400);
      expect(res.headers['content-type']).toMatch(PROBLEM);
      expect(res.body.type).toBe('https://marak.example/problems/validation');
      const fields = (res.body.errors as { field: string }[]).map((e) => e.field).sort();
      expect(fields).toEqual(['firstName', 'now']);
      expect(JSON.stringify(res.body)).not.toContain('Maija');
      expect(JSON.stringify(res.body)).not.toContain('yesterday-ish');
    });

    it('answers a body over the size limit 413', async () => {
      const res = await t.admin.post('/api/v1/test/clock').send({ advance: 'x'.repeat(2 * 1024 * 1024) }).expect(413);
      expect(res.headers['content-type']).toMatch(PROBLEM);
      expect(res.body.status).toBe(413);
    });

    it('answers a deeply nested body 400 before anything walks it (was 500: a stack overflow)', async () => {
      const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`;
      for (const req of [
        t.http.post('/api/v1/auth/refresh'), // public: straight to the validation pipe
        t.admin.post('/api/v1/test/clock').set('Idempotency-Key', 'deep-1'), // through the idempotency hash first
      ]) {
        const res = await req.set('Content-Type', 'application/json').send(deep).expect(400);
        expect(res.headers['content-type']).toMatch(PROBLEM);
        expect(res.body.type).toBe('https://marak.example/problems/body-too-deep');
      }
      // The DTOs' own nesting is far below the limit.
      await t.admin.post('/api/v1/test/clock').send({ advance: 'PT1S' }).expect(200);
    });

    it('answers a request head over the size limit 431 as a problem (Node answered it with a bare status line)', async () => {
      const res = await t.http.get('/api/v1/health').set('X-Padding', 'p'.repeat(20_000)).expect(431);
      expect(res.headers['content-type']).toMatch(PROBLEM);
      expect(res.body).toEqual({
        type: 'https://marak.example/problems/request-header-fields-too-large',
        title: 'Request Header Fields Too Large',
        status: 431,
        detail: 'The request line and headers together are too large.',
      });
    });

    it('answers a domain rule 422 with a stable type', async () => {
      const dayBefore = new Date(t.clock.now().getTime() - 60_000).toISOString();
      const res = await t.admin.post('/api/v1/test/clock').send({ now: dayBefore }).expect(422);
      expect(res.body.type).toBe('https://marak.example/problems/clock-moves-forward');
    });
  });

  describe('test clock', () => {
    it('sets and advances "now" by an ISO duration', async () => {
      await t.admin.post('/api/v1/test/clock').send({ now: '2027-01-04T07:00:00.000Z' }).expect(200);
      await t.renewAdmin(); // moving time past the access token's 15 minutes ends it, as it would
      const res = await t.admin.post('/api/v1/test/clock').send({ advance: 'P14DT2H' }).expect(200);
      await t.renewAdmin();
      expect(res.body.now).toBe('2027-01-18T09:00:00.000Z');
      expect(t.clock.now().toISOString()).toBe('2027-01-18T09:00:00.000Z');
      expect((await t.admin.get('/api/v1/test/clock').expect(200)).body.now).toBe('2027-01-18T09:00:00.000Z');
    });

    it('refuses durations of uncertain length', async () => {
      await t.renewAdmin();
      const res = await t.admin.post('/api/v1/test/clock').send({ advance: 'P1M' }).expect(400);
      expect(res.body.errors[0].field).toBe('advance');
    });

    it('refuses a week date and a move past the year 9999 400, and stays where it was (the clock became an Invalid Date)', async () => {
      await t.renewAdmin();
      const before = t.clock.now().toISOString();
      const week = await t.admin.post('/api/v1/test/clock').send({ now: '2099-W10-1' }).expect(400);
      expect(week.body.errors).toEqual([{ field: 'now', message: expect.any(String) }]);
      const far = await t.admin.post('/api/v1/test/clock').send({ advance: 'P99999999D' }).expect(400);
      expect(far.body.errors).toEqual([{ field: 'advance', message: expect.any(String) }]);
      // The last instant a Date holds is valid ISO, but every deadline computed from it would not be.
      await t.admin.post('/api/v1/test/clock').send({ now: '+275760-09-13T00:00:00.000Z' }).expect(400);
      await t.admin.post('/api/v1/test/clock').send({ now: '9999-12-31T23:59:59.999Z', advance: 'PT1S' }).expect(400);
      // Both parts are checked before the clock moves: a valid "now" with an impossible advance moves nothing.
      await t.admin.post('/api/v1/test/clock').send({ now: '2099-01-01T00:00:00.000Z', advance: 'P99999999D' }).expect(400);
      expect(t.clock.now().toISOString()).toBe(before);
      expect((await t.admin.get('/api/v1/test/clock').expect(200)).body.now).toBe(before);
    });
  });

  describe('OpenAPI and metrics', () => {
    it('serves the OpenAPI document and its UI', async () => {
      const doc = await t.http.get('/api/docs-json').expect(200);
      expect(doc.body.openapi).toMatch(/^3\./);
      expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/api/v1/health', '/api/v1/test/clock']));
      const ui = await t.http.get('/api/docs').expect(200);
      expect(ui.text).toContain('swagger');
    });

    it('declares every {name} of every documented path as a path parameter (clients are generated from it)', async () => {
      const doc = await t.http.get('/api/docs-json').expect(200);
      const undeclared: string[] = [];
      for (const [route, item] of Object.entries(doc.body.paths as Record<string, Record<string, { parameters?: Array<{ in: string; name: string }> }>>)) {
        const names = [...route.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
        for (const [method, op] of Object.entries(item)) {
          const declared = new Set((op.parameters ?? []).filter((x) => x.in === 'path').map((x) => x.name));
          for (const name of names) if (!declared.has(name)) undeclared.push(`${method.toUpperCase()} ${route} {${name}}`);
        }
      }
      expect(undeclared).toEqual([]);
    });

    it('exposes an HTTP latency histogram by route pattern and queue depths', async () => {
      await t.http.get('/api/v1/health').expect(200);
      const res = await t.http.get('/api/v1/metrics').expect(200);
      expect(res.headers['content-type']).toMatch(/^text\/plain/);
      expect(res.text).toMatch(/marak_http_request_duration_seconds_bucket\{[^}]*route="\/api\/v1\/health"/);
      // Bounds at the latency targets (20, 25, 50 ms), and every GC pause in buckets down to 1 ms.
      for (const le of ['0.02', '0.025', '0.05']) expect(res.text).toMatch(new RegExp(`marak_http_request_duration_seconds_bucket\\{le="${le}",[^}]*route="/api/v1/health"`));
      expect(res.text).toContain('# TYPE marak_gc_pause_seconds histogram');
      for (const le of ['0.002', '0.005', '0.02', '0.05']) expect(res.text).toMatch(new RegExp(`marak_gc_pause_seconds_bucket\\{le="${le}",kind="\\w+"\\} \\d+`));
      expect(res.text).toMatch(/marak_nodejs_eventloop_lag_p99_seconds \d/);
      expect(res.text).toMatch(/marak_queue_jobs\{queue="maintenance",state="delayed"\} \d+/);
    });
  });
});

describe('without MARAK_TEST_CLOCK', () => {
  it('has no test clock route at all', async () => {
    const t = await startTestApp({ env: { MARAK_TEST_CLOCK: 'false' } });
    try {
      await t.admin.post('/api/v1/test/clock').send({ advance: 'P1D' }).expect(404);
    } finally {
      await t.close();
    }
  });
});
