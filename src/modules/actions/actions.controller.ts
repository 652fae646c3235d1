import { Body, Controller, Get, Headers, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser } from '../../common/auth/current-user.decorator.js';
import { RequirePermission } from '../../common/auth/permissions.js';
import type { AuthUser } from '../../common/request-context.js';
import { expectedVersion } from '../../common/versioning.js';
import { ActionsService } from './actions.service.js';
import { ActionDto, ActionPageDto, CompleteActionDto, ListActionsQuery, ReasonDto, ReassignActionDto, UpdateActionDto, VersionBody } from './dto/action.dto.js';

@ApiTags('actions')
@ApiBearerAuth()
@Controller('actions')
export class ActionsController {
  constructor(private readonly actions: ActionsService) {}

  @Get()
  @RequirePermission('actions:read')
  @ApiOperation({ summary: 'The agency inbox (a representative: their agency’s actions only) or the group’s actions (coordinator, chair), by due date' })
  @ApiOkResponse({ type: ActionPageDto })
  list(@CurrentUser() user: AuthUser, @Query() q: ListActionsQuery): Promise<ActionPageDto> {
    return this.actions.list(user, q);
  }

  @Get(':id')
  @RequirePermission('actions:read')
  @ApiOperation({ summary: 'An action with its history' })
  @ApiOkResponse({ type: ActionDto })
  get(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string): Promise<ActionDto> {
    return this.actions.get(user, id);
  }

  @Post(':id/acknowledge')
  @HttpCode(200)
  @RequirePermission('actions:respond')
  @ApiOperation({ summary: 'The owning agency acknowledges: assigned → acknowledged (409 otherwise)' })
  @ApiOkResponse({ type: ActionDto })
  acknowledge(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string, @Body() dto: VersionBody, @Headers('if-match') ifMatch?: string): Promise<ActionDto> {
    return this.actions.acknowledge(user, id, expectedVersion(ifMatch, dto?.version));
  }

  @Post(':id/complete')
  @HttpCode(200)
  @RequirePermission('actions:respond')
  @ApiOperation({ summary: 'The owning agency completes it with what was done: assigned | acknowledged → completed' })
  @ApiOkResponse({ type: ActionDto })
  complete(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string, @Body() dto: CompleteActionDto, @Headers('if-match') ifMatch?: string): Promise<ActionDto> {
    return this.actions.complete(user, id, dto.outcome, expectedVersion(ifMatch, dto.version));
  }

  @Post(':id/decline')
  @HttpCode(200)
  @RequirePermission('actions:respond')
  @ApiOperation({ summary: 'The owning agency declines with a reason; the coordinator must reassign or cancel' })
  @ApiOkResponse({ type: ActionDto })
  decline(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string, @Body() dto: ReasonDto, @Headers('if-match') ifMatch?: string): Promise<ActionDto> {
    return this.actions.decline(user, id, dto.reason, expectedVersion(ifMatch, dto.version));
  }

  @Post(':id/not-possible')
  @HttpCode(200)
  @RequirePermission('actions:respond')
  @ApiOperation({ summary: 'The owning agency records that circumstances make it impossible (kept apart from “not done” at the review)' })
  @ApiOkResponse({ type: ActionDto })
  notPossible(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string, @Body() dto: ReasonDto, @Headers('if-match') ifMatch?: string): Promise<ActionDto> {
    return this.actions.notPossible(user, id, dto.reason, expectedVersion(ifMatch, dto.version));
  }

  @Post(':id/reassign')
  @HttpCode(200)
  @RequirePermission('actions:manage')
  @ApiOperation({ summary: 'Coordinator or chair: to another member agency, with a reason; the ladder restarts' })
  @ApiOkResponse({ type: ActionDto })
  reassign(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string, @Body() dto: ReassignActionDto, @Headers('if-match') ifMatch?: string): Promise<ActionDto> {
    return this.actions.reassign(user, id, { agencyId: dto.agencyId, reason: dto.reason }, expectedVersion(ifMatch, dto.version));
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @RequirePermission('actions:manage')
  @ApiOperation({ summary: 'Coordinator or chair: cancel an open action with a reason; its timers stop' })
  @ApiOkResponse({ type: ActionDto })
  cancel(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string, @Body() dto: ReasonDto, @Headers('if-match') ifMatch?: string): Promise<ActionDto> {
    return this.actions.cancel(user, id, dto.reason, expectedVersion(ifMatch, dto.version));
  }

  @Patch(':id')
  @RequirePermission('actions:manage')
  @ApiOperation({ summary: 'Coordinator or chair: a new due date (the due-date reminders restart) or description' })
  @ApiOkResponse({ type: ActionDto })
  update(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string, @Body() dto: UpdateActionDto, @Headers('if-match') ifMatch?: string): Promise<ActionDto> {
    return this.actions.update(user, id, { dueDate: dto.dueDate, description: dto.description }, expectedVersion(ifMatch, dto.version));
  }
}
