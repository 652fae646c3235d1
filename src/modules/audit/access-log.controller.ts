import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { RequirePermission } from '../../common/auth/permissions.js';
import { DEFAULT_PAGE } from './audit.controller.js';
import { AuditService } from './audit.service.js';
import { AccessLogPageDto } from './dto/audit-entry.dto.js';
import { PageQueryDto, PersonIdParamsDto } from './dto/audit-query.dto.js';

/** A data subject's right of access: who has seen or changed their data. */
@ApiTags('audit')
@ApiBearerAuth()
@Controller('people')
export class AccessLogController {
  constructor(private readonly audit: AuditService) {}

  @Get(':id/access-log')
  @RequirePermission('people:access-log')
  @ApiOperation({ summary: "Everyone who read or changed this person's data: who, agency, role, action, when, purpose" })
  @ApiParam({ name: 'id', description: 'The person (victim, perpetrator or child) whose data was accessed', schema: { type: 'string', format: 'uuid' } })
  @ApiOkResponse({ type: AccessLogPageDto })
  async accessLog(@Param() params: PersonIdParamsDto, @Query() q: PageQueryDto): Promise<AccessLogPageDto> {
    return this.audit.accessLog(params.id.toLowerCase(), { limit: q.limit ?? DEFAULT_PAGE, cursor: q.cursor });
  }
}
