import { Controller, Get, Param, ParseUUIDPipe, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentUser } from '../../common/auth/current-user.decorator.js';
import { RequirePermission } from '../../common/auth/permissions.js';
import type { AuthUser } from '../../common/request-context.js';
import { DeploymentStatisticsDto, GroupStatisticsDto, StatisticsQueryDto } from './dto/statistics-query.dto.js';
import { StatisticsService, type DeploymentStatistics, type GroupStatistics } from './statistics.service.js';

const CSV = 'text/csv; charset=utf-8';

@ApiTags('statistics')
@ApiBearerAuth()
@Controller()
export class StatisticsController {
  constructor(private readonly statistics: StatisticsService) {}

  @Get('groups/:id/statistics')
  @RequirePermission('statistics:read')
  @ApiOperation({ summary: "A group's statistics for a period (coordinator, chair, analyst); cells under 5 suppressed; ?format=csv for CSV" })
  @ApiProduces('application/json', 'text/csv')
  @ApiOkResponse({ type: GroupStatisticsDto })
  async group(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseUUIDPipe) id: string,
    @Query() q: StatisticsQueryDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<GroupStatistics | string> {
    const result = await this.statistics.forGroup(user, id.toLowerCase(), { from: q.from, to: q.to }, q.format ?? 'json');
    if (typeof result === 'string') res.type(CSV);
    return result;
  }

  @Get('statistics')
  @RequirePermission('statistics:read-deployment')
  @ApiOperation({ summary: 'Every group and the total for a period (analysts); suppressed together; ?format=csv for CSV' })
  @ApiProduces('application/json', 'text/csv')
  @ApiOkResponse({ type: DeploymentStatisticsDto })
  async deployment(@Query() q: StatisticsQueryDto, @Res({ passthrough: true }) res: Response): Promise<DeploymentStatistics | string> {
    const result = await this.statistics.forDeployment({ from: q.from, to: q.to }, q.format ?? 'json');
    if (typeof result === 'string') res.type(CSV);
    return result;
  }
}
