import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { pinoHttp } from 'pino-http';
import { pinoHttpOptions, pinoOptions } from './logger.js';
import { MAX_DEPTH, TOO_DEEP } from './redaction.js';

function capture(): { logger: pino.Logger; lines: () => Record<string, unknown>[] } {
  const out: string[] = [];
  const stream = new Writable({ write: (chunk, _enc, cb) => (out.push(String(chunk)), cb()) });
  return { logger: pino(pinoOptions('info'), stream), lines: () => out.map((l) => JSON.parse(l)) };
}

describe('log redaction', () => {
  it('redacts personal-data fields at any depth, keeping ids', () => {
    const { logger, lines } = capture();
    logger.info({
      caseId: 'c-1',
      firstName: 'Liisa',
      body: { victim: { identityCode: '010190-998X' }, children: [{ firstName: 'Pekka' }], reason: 'moved to Oulu' },
      ctx: { req: { headers: { authorization: 'Bearer abc' } } },
    });
    const text = JSON.stringify(lines()[0]);
    expect(text).toContain('c-1');
    for (const secret of ['Liisa', '010190-998X', 'Pekka', 'Oulu', 'Bearer abc']) expect(text).not.toContain(secret);
  });

  it('redacts below the fourth level, inside class instances, errors and child bindings, without touching the caller’s objects', () => {
    const { logger, lines } = capture();
    class ReferralDraft {
      constructor(readonly groupId: string, readonly victim: object, readonly notes: object[]) {}
    }
    const deep = { a: { b: { c: { d: { e: { phone: '+358 40 999 0001' } } } } } };
    const draft = new ReferralDraft('g-1', { firstName: 'Aino' }, [{ wrapped: [{ identityCode: '131052-908T' }] }]);
    const failure = Object.assign(new Error('insert failed'), { identityCode: '131052-909U', caseId: 'c-2' });
    const nested = Object.assign(new TypeError('wrapped'), { detail: { address: 'Keksittykatu 9' } });
    const cyclic: Record<string, unknown> = { caseId: 'c-3' };
    cyclic.self = cyclic;
    logger.child({ victim: { lastName: 'Virtanen' }, requestId: 'r-9' }).warn({ deep, draft, err: failure, other: nested, cyclic }, 'careless');
    const line = lines()[0]!;
    const text = JSON.stringify(line);
    for (const secret of ['+358 40 999 0001', 'Aino', '131052-908T', '131052-909U', 'Keksittykatu 9', 'Virtanen']) expect(text).not.toContain(secret);
    // What is not personal stays, in the shape JSON would have written.
    expect(line).toMatchObject({ requestId: 'r-9', draft: { groupId: 'g-1', victim: '[redacted]' }, err: { type: 'Error', message: 'insert failed', caseId: 'c-2' }, other: { type: 'TypeError', message: 'wrapped' }, cyclic: { caseId: 'c-3', self: '[Circular]' } });
    expect((line.err as { stack: string }).stack).toContain('insert failed');
    // The caller's objects are as they were.
    expect(deep.a.b.c.d.e.phone).toBe('+358 40 999 0001');
    expect((draft.victim as { firstName: string }).firstName).toBe('Aino');
    expect(failure.identityCode).toBe('131052-909U');
  });

  it('writes a value nested deeper than the walk goes as a placeholder, never as itself', () => {
    const { logger, lines } = capture();
    let tower: Record<string, unknown> = { secretish: 'Keksitty Henkilö' };
    for (let i = 0; i < MAX_DEPTH + 2; i++) tower = { level: tower };
    logger.info({ tower });
    const text = JSON.stringify(lines()[0]);
    expect(text).not.toContain('Keksitty Henkilö');
    expect(text).toContain(TOO_DEEP);
  });

  it('logs pino-http’s request and response by their serializers only, and its errors redacted, over a real request', async () => {
    const out: string[] = [];
    const stream = new Writable({ write: (chunk, _enc, cb) => (out.push(String(chunk)), cb()) });
    const logging = pinoHttp({ ...pinoHttpOptions('info'), logger: pino(pinoHttpOptions('info'), stream) });
    const server = http.createServer((req, res) => {
      logging(req, res);
      if (req.url?.startsWith('/fail')) {
        res.err = Object.assign(new Error('boom'), { phone: '+358 40 999 0002', caseId: 'c-7' });
        res.statusCode = 500;
      }
      res.end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      for (const path of ['/api/v1/referrals?lastName=Virtanen', '/fail?identityCode=131052-908T']) {
        await fetch(`http://127.0.0.1:${port}${path}`, { headers: { authorization: 'Bearer abc', 'x-request-id': 'r-42' } });
      }
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    const [ok, failed] = out.map((l) => JSON.parse(l));
    expect(ok).toMatchObject({ level: 'info', requestId: 'r-42', req: { id: 'r-42', method: 'GET', path: '/api/v1/referrals' }, res: { statusCode: 200 } });
    expect(Object.keys(ok.req).sort()).toEqual(['id', 'method', 'path']);
    expect(failed).toMatchObject({ level: 'error', req: { path: '/fail' }, res: { statusCode: 500 }, err: { type: 'Error', message: 'boom', phone: '[redacted]', caseId: 'c-7' } });
    for (const secret of ['Virtanen', '131052-908T', 'Bearer abc', '+358 40 999 0002']) expect(out.join('')).not.toContain(secret);
  });

  it('censors a message given as an object, format arguments, setBindings on a child, toJSON results and any letter case', () => {
    const { logger, lines } = capture();
    logger.info('draft %o and %j', { victim: { lastName: 'Virtanen' } }, { phone: '+358 40 999 0003' });
    logger.info({ caseId: 'c-4' }, { email: 'aino@example.test' } as unknown as string);
    const child = logger.child({ requestId: 'r-5' });
    child.setBindings({ user: { email: 'pekka@example.test' } });
    child.info('bound');
    const withToJSON = { toJSON: () => ({ identityCode: '131052-908T', caseId: 'c-6' }) };
    const errorWithToJSON = Object.assign(new Error('x'), { toJSON: () => ({ address: 'Keksittykatu 11' }) });
    logger.info({ withToJSON, err: withToJSON, other: errorWithToJSON, headers: { Authorization: 'Bearer abc', FirstName: 'Aino' } });
    logger.info({ frozen: Object.freeze(new Error('frozen')) });
    const text = lines().map((l) => JSON.stringify(l)).join('\n');
    for (const secret of ['Virtanen', '+358 40 999 0003', 'aino@example.test', 'pekka@example.test', '131052-908T', 'Keksittykatu 11', 'Bearer abc', 'Aino']) expect(text).not.toContain(secret);
    expect(lines()[2]).toMatchObject({ requestId: 'r-5', user: { email: '[redacted]' }, msg: 'bound' });
    expect(lines()[3]).toMatchObject({ withToJSON: { identityCode: '[redacted]', caseId: 'c-6' }, err: { caseId: 'c-6' }, headers: { Authorization: '[redacted]' } });
    expect(lines()[4]).toMatchObject({ frozen: { type: 'Error', message: 'frozen' } });
  });

  it('writes one JSON object per line with a level label and time', () => {
    const { logger, lines } = capture();
    logger.warn({ requestId: 'r-1' }, 'something');
    expect(lines()[0]).toMatchObject({ level: 'warn', requestId: 'r-1', msg: 'something', service: 'marak' });
    expect(typeof lines()[0].time).toBe('string');
  });
});
