import { createHash } from 'node:crypto';
import { HttpStatus, Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants.js';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { from, lastValueFrom, type Observable } from 'rxjs';
import { IS_PUBLIC } from '../auth/public.decorator.js';
import { Problem } from '../problems/problem.js';
import { IdempotencyService } from './idempotency.service.js';
import { stableStringify } from './stable-json.js';

export const IDEMPOTENCY_HEADER = 'idempotency-key';
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/**
 * Applies `Idempotency-Key` to every authenticated POST that sends one. Public routes (login,
 * refresh, …) create nothing to repeat and answer with secrets: storing and replaying their
 * responses under one shared anonymous scope would hand out tokens again, so the key is ignored there.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(private readonly service: IdempotencyService, private readonly reflector: Reflector) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const req = context.switchToHttp().getRequest<Request & { user?: { id?: string } }>();
    const key = req.header(IDEMPOTENCY_HEADER);
    if (req.method !== 'POST' || key === undefined) return next.handle();
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()])) return next.handle();
    if (!KEY_PATTERN.test(key)) {
      throw new Problem(400, 'invalid-idempotency-key', 'Bad Request', 'Idempotency-Key must be 1 to 255 visible ASCII characters.');
    }
    const res = context.switchToHttp().getResponse<Response>();
    const scope = req.user?.id;
    if (!scope) return next.handle();
    const path = (req.originalUrl ?? req.url).split('?')[0];
    const hash = createHash('sha256').update(`${req.method} ${path}\n${stableStringify(req.body ?? null)}`).digest('hex');
    const status = this.reflector.get<number>(HTTP_CODE_METADATA, context.getHandler()) ?? HttpStatus.CREATED;

    return from(
      (async () => {
        const start = await this.service.begin(scope, key, hash);
        if (start.kind === 'replay') {
          res.status(start.status);
          res.setHeader('Idempotent-Replayed', 'true');
          return start.body;
        }
        let body: unknown;
        try {
          body = await lastValueFrom(next.handle(), { defaultValue: undefined });
        } catch (err) {
          // The handler refused or failed, so nothing was committed: a retry may run again.
          await this.service.release(scope, key).catch(() => undefined);
          throw err;
        }
        // The handler's work has committed. If storing its response fails, the key stays in
        // progress: a retry gets 409 until the in-progress claim goes stale (IDEMPOTENCY_LOCK_MS),
        // after which a retry with the same body runs again.
        await this.service.complete(scope, key, status, body);
        return body;
      })(),
    );
  }
}
