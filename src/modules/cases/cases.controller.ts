import { Body, Controller, Delete, Get, Headers, HttpCode, Param, ParseUUIDPipe, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, Length } from 'class-validator';
import { CurrentUser } from '../../common/auth/current-user.decorator.js';
import { RequirePermission } from '../../common/auth/permissions.js';
import type { AuthUser } from '../../common/request-context.js';
import { expectedVersion } from '../../common/versioning.js';
import { CasesService } from './cases.service.js';
import { CloseCaseDto, RestrictionDto, SetAdvocateDto, VictimViewsDto } from './dto/case.dto.js';
import { LimitQuery } from '../../common/pagination.js';

export class ListCasesQuery extends LimitQuery {
  @ApiPropertyOptional() @IsOptional() @IsUUID() groupId?: string;
  @ApiPropertyOptional({ enum: ['open', 'closed'] }) @IsOptional() @IsIn(['open', 'closed']) status?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 300) cursor?: string;
}

@ApiTags('cases')
@ApiBearerAuth()
@Controller('cases')
export class CasesController {
  constructor(private readonly cases: CasesService) {}

  @Get()
  @RequirePermission('cases:read')
  list(@CurrentUser() user: AuthUser, @Query() q: ListCasesQuery) {
    return this.cases.list(user, q);
  }

  @Get(':id')
  @RequirePermission('cases:read')
  get(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string) {
    return this.cases.get(user, id);
  }

  @Put(':id/advocate')
  @RequirePermission('cases:manage')
  @ApiOperation({ summary: 'Name the advocate agency (a member of the group) and optionally its worker (coordinator)' })
  setAdvocate(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string, @Body() dto: SetAdvocateDto, @Headers('if-match') ifMatch?: string) {
    return this.cases.setAdvocate(user, id, { agencyId: dto.agencyId, userId: dto.userId }, expectedVersion(ifMatch, dto.version));
  }

  @Put(':id/restriction')
  @RequirePermission('cases:manage')
  @ApiOperation({ summary: 'Restrict the case to the named people; the coordinator making it is always included (coordinator)' })
  restrict(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string, @Body() dto: RestrictionDto, @Headers('if-match') ifMatch?: string) {
    return this.cases.restrict(user, id, dto.userIds, expectedVersion(ifMatch, dto.version));
  }

  @Delete(':id/restriction')
  @RequirePermission('cases:manage')
  @ApiOperation({ summary: 'Lift the restriction (coordinator)' })
  unrestrict(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string, @Headers('if-match') ifMatch?: string) {
    return this.cases.unrestrict(user, id, expectedVersion(ifMatch));
  }

  @Post(':id/victim-views')
  @RequirePermission('cases:victim-views')
  @ApiOperation({ summary: 'Record the victim’s views and wishes before the meeting (the case’s advocate)' })
  recordVictimViews(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string, @Body() dto: VictimViewsDto) {
    return this.cases.recordVictimViews(user, id, dto);
  }

  @Post(':id/close')
  @HttpCode(200)
  @RequirePermission('cases:manage')
  @ApiOperation({ summary: 'Close the case with a reason; member agencies are told without detail (coordinator or chair)' })
  close(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string, @Body() dto: CloseCaseDto, @Headers('if-match') ifMatch?: string) {
    return this.cases.close(user, id, { reason: dto.reason, note: dto.note }, expectedVersion(ifMatch, dto.version));
  }
}
