import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequirePermission } from '../../common/auth/permissions.js';
import { Problem } from '../../common/problems/problem.js';
import { AuditService } from './audit.service.js';
import { AuditPageDto, AuditVerifyResultDto } from './dto/audit-entry.dto.js';
import { AuditQueryDto } from './dto/audit-query.dto.js';

export const DEFAULT_PAGE = 50;

@ApiTags('audit')
@ApiBearerAuth()
@Controller('audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @RequirePermission('audit:read')
  @ApiOperation({ summary: 'Search the audit log, newest first (ids and codes only, never personal data)' })
  @ApiOkResponse({ type: AuditPageDto })
  async search(@Query() q: AuditQueryDto): Promise<AuditPageDto> {
    const from = q.from === undefined ? undefined : new Date(q.from);
    const to = q.to === undefined ? undefined : new Date(q.to);
    if (from && to && from.getTime() > to.getTime()) {
      throw new Problem(400, 'validation', 'Bad Request', 'from must not be after to.', { errors: [{ field: 'from', message: 'must not be after to' }] });
    }
    return this.audit.search({ objectType: q.objectType, objectId: q.objectId, actorId: q.actorId?.toLowerCase(), from, to, limit: q.limit ?? DEFAULT_PAGE, cursor: q.cursor });
  }

  @Get('verify')
  @RequirePermission('audit:verify')
  @ApiOperation({ summary: 'Walk the hash chain and the heads recorded outside the database; name the first broken row' })
  @ApiOkResponse({ type: AuditVerifyResultDto })
  async verify(): Promise<AuditVerifyResultDto> {
    return this.audit.verifyOnRequest();
  }
}
