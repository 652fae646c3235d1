import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { Problem } from './problems/problem.js';

/** `?limit=` of every list (API.md: default 50, max 200); each list adds its own `cursor`. */
export class LimitQuery {
  @ApiPropertyOptional({ default: 50, minimum: 1, maximum: 200 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An opaque keyset cursor for lists ordered by (instant, id) descending. */
export function encodeKeysetCursor(at: Date, id: string): string {
  return Buffer.from(JSON.stringify({ at: at.toISOString(), id })).toString('base64url');
}

/** The position a cursor names; 400 for anything this API did not give out (never a 500). */
export function decodeKeysetCursor(cursor: string): { at: string; id: string } {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString());
    if (typeof value?.at === 'string' && !Number.isNaN(Date.parse(value.at)) && typeof value?.id === 'string' && UUID.test(value.id)) {
      return { at: value.at, id: value.id };
    }
  } catch {
    // fall through
  }
  throw new Problem(400, 'invalid-cursor', 'Bad Request', 'The cursor is not one this API gave out.');
}
