import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { getQueueToken } from '@nestjs/bullmq';
import type { INestApplication } from '@nestjs/common';
import type { Queue } from 'bullmq';
import type { NextFunction, Request, Response } from 'express';
import { PROBLEM_CONTENT_TYPE, problemType } from '../../common/problems/problem.js';
import { QUEUE_NAMES } from './queue-catalog.js';

export const BULL_BOARD_PATH = '/admin/queues';

/** Says whether an `Authorization` header belongs to an active admin (the identity module's). */
export type AdminVerifier = (authorization: string | undefined) => Promise<boolean>;

function refuse(res: Response, status: 401 | 403): void {
  const body =
    status === 401
      ? { type: problemType('unauthenticated'), title: 'Unauthorized', status, detail: 'Send an admin access token: Authorization: Bearer <accessToken>.' }
      : { type: problemType('forbidden'), title: 'Forbidden', status, detail: 'Only admins may see the queues.' };
  res.status(status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(body));
}

/**
 * Bull Board (every catalogued queue) at /admin/queues, for admins only: a plain express mount
 * outside Nest's router, so it is guarded here with the identity module's verifier. Fails
 * closed: no verifier, no access.
 */
export function mountBullBoard(app: INestApplication, verify: AdminVerifier | undefined): void {
  const serverAdapter = new ExpressAdapter().setBasePath(BULL_BOARD_PATH);
  const queues = QUEUE_NAMES.map((name) => new BullMQAdapter(app.get<Queue>(getQueueToken(name), { strict: false }), { readOnlyMode: false }));
  createBullBoard({ queues, serverAdapter: serverAdapter as never, options: { uiConfig: { boardTitle: 'MARAK queues' } } });
  const guard = (req: Request, res: Response, next: NextFunction) => {
    const header = req.headers.authorization;
    if (!verify || !header) return refuse(res, 401);
    verify(header)
      .then((ok) => (ok ? next() : refuse(res, 403)))
      .catch(() => refuse(res, 401));
  };
  app.use(BULL_BOARD_PATH, guard, serverAdapter.getRouter());
}
