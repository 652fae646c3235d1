import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsOptional, IsUUID, Matches } from 'class-validator';
import { LimitQuery } from '../../../common/pagination.js';

/** `?limit&cursor`: newest first; `cursor` is the `nextCursor` of the previous page. */
export class PageQueryDto extends LimitQuery {
  @ApiPropertyOptional({ description: 'nextCursor of the previous page (opaque)' })
  @IsOptional()
  @Matches(/^[1-9][0-9]{0,18}$/, { message: 'cursor must be a nextCursor returned by this endpoint' })
  cursor?: string;
}

export class AuditQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ example: 'case' })
  @IsOptional()
  @Matches(/^[a-z][a-z0-9_-]{0,63}$/, { message: 'objectType must be an object type code such as case' })
  objectType?: string;

  @ApiPropertyOptional({ example: 'MRK-2026-0042' })
  @IsOptional()
  @Matches(/^[A-Za-z0-9._:-]{1,128}$/, { message: 'objectId must be an id or a code' })
  objectId?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all')
  actorId?: string;

  @ApiPropertyOptional({ description: 'from this instant (inclusive, ISO 8601)', example: '2026-01-01T00:00:00Z' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ description: 'until this instant (exclusive, ISO 8601)', example: '2026-02-01T00:00:00Z' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;
}

export class PersonIdParamsDto {
  @IsUUID('all')
  id: string;
}
