import type { NextFunction, Request, Response } from 'express';
import { Problem } from './problem.js';

/** Deeper than any request shape of the API (a referral's victim's circumstances are 3 levels down). */
export const MAX_BODY_DEPTH = 32;

/** Whether the parsed JSON nests deeper than `max` levels; iterative, so any depth is measured safely. */
export function nestedDeeperThan(value: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth > max) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, depth + 1]);
  }
  return false;
}

/**
 * Refuses a JSON body nested deeper than MAX_BODY_DEPTH before anything walks it: the
 * idempotency hash and class-transformer recurse, and a body of a few thousand nested arrays
 * overflowed the stack (500).
 */
export function rejectDeepBodies(req: Request, _res: Response, next: NextFunction): void {
  if (req.body !== undefined && nestedDeeperThan(req.body, MAX_BODY_DEPTH)) {
    next(new Problem(400, 'body-too-deep', 'Bad Request', `The request body is nested deeper than ${MAX_BODY_DEPTH} levels.`));
    return;
  }
  next();
}
