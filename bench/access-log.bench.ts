import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { Writable } from 'node:stream';
import { pino, type LoggerOptions } from 'pino';
import { pinoHttp } from 'pino-http';
import { pinoHttpOptions } from '../src/platform/logging/logger.js';
import { REDACTED_FIELDS } from '../src/platform/logging/redaction.js';
import { median } from './lib/measure.js';

/**
 * `npm run bench -- access-log`: the CPU one request's log costs in an API process: pino-http's
 * access line (the request's two child loggers, the line written when the response finishes),
 * with the app's logging options (logger.ts: personal-data fields censored by one walk of each
 * log object, redaction.ts), against the baseline of the same options with pino's own `redact`
 * over the paths the app used before (each of the 42 fields at four depths: 168 wildcard paths).
 * A second pair: a careless `logger.info({ draft })` of a referral-shaped object. Lines go to a
 * stream that drops them, so this is the logger's CPU, not the disk's. In one process, the two
 * alternated three times; the figure is the median round.
 */
const ROUNDS = 3;
const N = 20_000;

/** The redact paths of the former logger.ts (pino's `redact` option): each field at depths 1–4. */
function formerRedactPaths(depth = 4): string[] {
  const paths: string[] = [];
  for (const field of REDACTED_FIELDS) {
    const plain = /^[A-Za-z_$][\w$]*$/.test(field);
    const at = (prefix: string) => (plain ? `${prefix}${prefix ? '.' : ''}${field}` : `${prefix}["${field}"]`);
    let prefix = '';
    for (let d = 0; d < depth; d++) {
      paths.push(at(prefix));
      prefix = prefix ? `${prefix}.*` : '*';
    }
  }
  return paths;
}

function formerOptions(): LoggerOptions & Record<string, unknown> {
  const { formatters, serializers, onChild: _onChild, hooks: _hooks, ...rest } = pinoHttpOptions('info') as LoggerOptions & Record<string, unknown>;
  return {
    ...rest,
    formatters: { level: formatters!.level },
    serializers: { req: serializers!.req, res: serializers!.res },
    redact: { paths: formerRedactPaths(), censor: '[redacted]' },
  };
}

const sink = new Writable({ write: (_chunk, _enc, cb) => cb() });
const variants = {
  current: pinoHttpOptions('info') as LoggerOptions & Record<string, unknown>,
  former: formerOptions(),
};

function accessLine(options: LoggerOptions & Record<string, unknown>): () => void {
  const middleware = pinoHttp({ ...options, logger: pino(options, sink) } as unknown as Parameters<typeof pinoHttp>[0]);
  return () => {
    const req = new IncomingMessage(new Socket());
    req.method = 'GET';
    req.url = '/api/v1/cases/6f1c2a47-7e0b-4c3e-9d6a-0b9f5d1e2a33';
    req.headers = { authorization: 'Bearer x.y.z', 'x-request-id': 'bench-1' };
    const res = new ServerResponse(req);
    res.statusCode = 200;
    middleware(req, res);
    res.emit('finish');
  };
}

function carelessLine(options: LoggerOptions & Record<string, unknown>): () => void {
  const logger = pino(options, sink);
  const draft = {
    groupId: 'g-1',
    victim: { firstName: 'Testi', lastName: 'Uhri', identityCode: '010190-900X', address: 'Keksittykatu 1' },
    perpetrators: [{ firstName: 'Keksitty', lastName: 'Tekijä' }],
    riskAssessment: { formCode: 'marak', answers: Object.fromEntries(Array.from({ length: 24 }, (_, i) => [`q${i}`, 'yes'])) },
    consent: { status: 'given', givenAt: '2026-11-20' },
  };
  return () => logger.info({ draft, caseId: 'c-1' }, 'draft received');
}

function cpuPerCall(fn: () => void): number {
  for (let i = 0; i < 2000; i++) fn();
  const before = process.cpuUsage();
  for (let i = 0; i < N; i++) fn();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / N;
}

for (const [what, make] of [['pino-http access line (request, response, two child loggers)', accessLine], ['a careless logger.info({ draft }) of a referral-shaped object', carelessLine]] as const) {
  const current: number[] = [];
  const former: number[] = [];
  const fns = { current: make(variants.current), former: make(variants.former) };
  for (let r = 0; r < ROUNDS; r++) {
    current.push(cpuPerCall(fns.current));
    former.push(cpuPerCall(fns.former));
  }
  const c = median(current);
  const f = median(former);
  process.stdout.write(`logging, ${what}: ${c.toFixed(1)} µs of CPU per line; baseline pino's redact over the former 168 paths ${f.toFixed(1)} µs; ratio ${(c / f).toFixed(2)}x (${N} lines a round, median of ${ROUNDS})\n`);
}
