import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pino, type Logger, type LoggerOptions } from 'pino';
import type { Options as PinoHttpOptions } from 'pino-http';
import { redactChildBindings, redactError, redactLogArguments, redactLogObject } from './redaction.js';

export const REQUEST_ID_HEADER = 'x-request-id';
const REQUEST_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * Top-level keys that pino's serializers own, which run after the formatters: `err` everywhere
 * (redactError), and pino-http's raw `req` and `res` (their serializers below keep only the
 * request id, method, path and status code).
 */
const ERR_KEY: ReadonlySet<string> = new Set(['err']);
const HTTP_SERIALIZED_KEYS: ReadonlySet<string> = new Set(['req', 'res', 'err']);

export function pinoOptions(level: string, serialized: ReadonlySet<string> = ERR_KEY): LoggerOptions {
  return {
    level,
    base: { service: 'marak' },
    timestamp: pino.stdTimeFunctions.isoTime,
    // Personal-data fields are censored in every log object and every child logger's bindings
    // (redaction.ts), and in errors by their serializer.
    formatters: {
      level: (label) => ({ level: label }),
      log: (obj) => redactLogObject(obj, serialized),
      bindings: (bindings) => redactLogObject(bindings, serialized),
    },
    // A child logger's bindings skip the formatters (pino applies `bindings` to the root's only):
    // its finished bindings are censored here, and written again only when something was.
    onChild: redactChildBindings,
    // A message given as an object, and %o/%O/%j arguments, skip the formatters: censored here.
    hooks: { logMethod: redactLogArguments },
    serializers: { err: redactError },
  };
}

/** A logger for the time before Nest exists (launcher, CLI commands). */
export function createBaseLogger(level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino(pinoOptions(level));
}

function plain(value: unknown): string | number | undefined {
  return typeof value === 'string' || typeof value === 'number' ? value : undefined;
}

/** pino-http options: one request id per request, taken from a sane header or generated. */
export function pinoHttpOptions(level: string): PinoHttpOptions {
  return {
    ...pinoOptions(level, HTTP_SERIALIZED_KEYS),
    genReqId: (req: IncomingMessage, res: ServerResponse) => {
      const given = req.headers[REQUEST_ID_HEADER];
      const id = typeof given === 'string' && REQUEST_ID_PATTERN.test(given) ? given : randomUUID();
      res.setHeader(REQUEST_ID_HEADER, id);
      return id;
    },
    customProps: (req: IncomingMessage) => ({ requestId: (req as IncomingMessage & { id?: unknown }).id }),
    // URLs may carry query strings; log the route path only.
    serializers: {
      err: redactError,
      // Plain values only: whatever else `req` or `res` holds is never written (these keys skip
      // the formatter's walk, redaction.ts).
      req: (req: { id: unknown; method: unknown; url: unknown }) => ({
        id: plain(req.id),
        method: plain(req.method),
        path: String(req.url).split('?')[0],
      }),
      res: (res: { statusCode: unknown }) => ({ statusCode: typeof res.statusCode === 'number' ? res.statusCode : null }),
    },
    customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
    autoLogging: { ignore: (req) => (req.url ?? '').startsWith('/api/v1/health') },
  };
}
