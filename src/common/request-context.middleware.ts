import { randomUUID } from 'node:crypto';
import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { requestContext } from './request-context.js';

const PURPOSE_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/** Opens the request's context (request id, client address, stated purpose) for everything below. */
@Injectable()
export class RequestContextMiddleware implements NestMiddleware {
  use(req: Request & { id?: unknown }, _res: Response, next: NextFunction): void {
    const purpose = req.header('x-purpose');
    requestContext.run(
      {
        requestId: typeof req.id === 'string' ? req.id : randomUUID(),
        ip: req.ip,
        purpose: purpose && PURPOSE_PATTERN.test(purpose) ? purpose : undefined,
      },
      () => next(),
    );
  }
}
