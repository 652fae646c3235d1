import { ArgumentsHost, Catch, HttpException, Logger, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import { OptimisticLockVersionMismatchError, QueryFailedError } from 'typeorm';
import { isDatabaseUnavailable } from '../../platform/database/unavailable.js';
import { PROBLEM_CONTENT_TYPE, Problem, STATUS_PROBLEMS, problemType, type ProblemBody } from './problem.js';
import { RequestValidationError } from './validation.js';

interface BodyParserError {
  type?: string;
}

const PG_ERRORS: Record<string, { status: number; slug: string; title: string; detail: string }> = {
  '23505': { status: 409, slug: 'conflict', title: 'Conflict', detail: 'A resource with the same unique value already exists.' },
  '40001': { status: 409, slug: 'concurrent-update', title: 'Conflict', detail: 'A concurrent change won; reload and try again.' },
  '40P01': { status: 409, slug: 'concurrent-update', title: 'Conflict', detail: 'A concurrent change won; reload and try again.' },
  '23503': { status: 409, slug: 'conflict', title: 'Conflict', detail: 'The change refers to something that does not exist or is still referred to.' },
  '22P02': { status: 400, slug: 'bad-request', title: 'Bad Request', detail: 'A value has the wrong format.' },
  '22007': { status: 400, slug: 'bad-request', title: 'Bad Request', detail: 'A date or time has the wrong format.' },
  '22008': { status: 400, slug: 'bad-request', title: 'Bad Request', detail: 'A date or time is out of range.' },
};

function isRedisUnavailable(err: unknown): boolean {
  // Duck-typed: errors made by Node's own realm (sockets) fail `instanceof Error` inside a VM context.
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { name?: unknown; message?: unknown };
  if (e.name === 'MaxRetriesPerRequestError') return true;
  return typeof e.message === 'string' && /enableOfflineQueue|Connection is closed|MaxRetriesPerRequestError|Stream isn't writeable/.test(e.message);
}

/** Seconds a client is told to wait (`Retry-After`) when a backing service is down. */
const RETRY_AFTER_S = 5;

/**
 * Every error leaves the server as `application/problem+json` with a stable `type`. Unexpected
 * errors are logged with the request id and answered 500 without internals.
 */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const ctx = host.switchToHttp();
    const req = ctx.getRequest<Request & { id?: string }>();
    const res = ctx.getResponse<Response>();
    const body = this.toProblem(exception, req);
    if (res.headersSent) {
      res.end();
      return;
    }
    if ((body.status === 429 || body.status === 503) && typeof body.retryAfter === 'number') res.setHeader('Retry-After', String(body.retryAfter));
    res.status(body.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(body));
  }

  toProblem(exception: unknown, req: Request & { id?: string }): ProblemBody {
    const instance = req.id ? `urn:request:${req.id}` : undefined;
    if (exception instanceof Problem) return exception.toBody(instance);

    if (exception instanceof RequestValidationError) {
      return {
        type: problemType('validation'),
        title: 'Bad Request',
        status: 400,
        detail: 'The request is invalid.',
        errors: exception.errors,
        ...(instance ? { instance } : {}),
      };
    }

    if (exception instanceof HttpException && exception.cause && typeof exception.cause === 'object') {
      // Express' body parser errors, wrapped by Nest. Their messages can quote the body: never echo them.
      const cause = exception.cause as BodyParserError;
      const status = exception.getStatus();
      const malformed = cause.type === 'entity.parse.failed' || exception.cause instanceof SyntaxError;
      const known = STATUS_PROBLEMS[status] ?? STATUS_PROBLEMS[400];
      return {
        type: problemType(malformed ? 'malformed-json' : known.slug),
        title: known.title,
        status,
        detail: malformed ? 'The request body is not valid JSON.' : known.title,
        ...(instance ? { instance } : {}),
      };
    }

    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const known = STATUS_PROBLEMS[status] ?? { slug: `http-${status}`, title: exception.name };
      const response = exception.getResponse();
      let detail: string | undefined;
      if (status === 404) detail = 'The resource does not exist or is not visible to you.';
      else if (typeof response === 'string') detail = response;
      else if (response && typeof response === 'object' && 'message' in response) {
        const m = (response as { message: unknown }).message;
        detail = Array.isArray(m) ? m.join('; ') : typeof m === 'string' ? m : undefined;
      }
      if (status >= 500) this.logger.error({ err: exception, requestId: req.id }, 'HTTP 5xx');
      return { type: problemType(known.slug), title: known.title, status, ...(detail ? { detail } : {}), ...(instance ? { instance } : {}) };
    }

    if (exception instanceof OptimisticLockVersionMismatchError) {
      return { type: problemType('version-conflict'), title: 'Conflict', status: 409, detail: 'The resource was changed by someone else; reload and try again.', ...(instance ? { instance } : {}) };
    }

    if (exception instanceof QueryFailedError) {
      const code = (exception as QueryFailedError & { driverError?: { code?: string } }).driverError?.code;
      const known = code ? PG_ERRORS[code] : undefined;
      if (known) return { type: problemType(known.slug), title: known.title, status: known.status, detail: known.detail, ...(instance ? { instance } : {}) };
    }

    // PostgreSQL down, restarting or its connection lost: the request may be repeated, it is not a bug.
    // Redis first: a socket error (ECONNREFUSED, "Connection is closed") also matches the database
    // test, and the log line must name the service that is down.
    const redis = isRedisUnavailable(exception);
    if (redis || isDatabaseUnavailable(exception)) {
      this.logger.warn({ requestId: req.id }, redis ? 'Redis unavailable' : 'Database unavailable');
      return {
        type: problemType('service-unavailable'),
        title: 'Service Unavailable',
        status: 503,
        detail: 'A backing service is unavailable; try again shortly.',
        retryAfter: RETRY_AFTER_S,
        ...(instance ? { instance } : {}),
      };
    }

    // Log the error class and stack only: driver messages can quote the values that failed.
    const err = exception instanceof Error ? exception : new Error('non-error thrown');
    this.logger.error({ requestId: req.id, errorName: err.name, stack: err.stack?.split('\n').slice(1, 8).join('\n') }, 'Unexpected error');
    return { type: problemType('internal'), title: 'Internal Server Error', status: 500, detail: 'An unexpected error occurred. It has been logged with the request id.', ...(instance ? { instance } : {}) };
  }
}
