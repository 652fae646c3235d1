import { Body, Controller, Delete, Get, Headers, HttpCode, Param, ParseUUIDPipe, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser } from '../../common/auth/current-user.decorator.js';
import { RequirePermission } from '../../common/auth/permissions.js';
import type { AuthUser } from '../../common/request-context.js';
import { expectedVersion } from '../../common/versioning.js';
import { AgendaService } from './agenda.service.js';
import { ConferencesService } from './conferences.service.js';
import {
  AddAgendaItemDto,
  ConferenceDto,
  ConferencePageDto,
  CreateConferenceDto,
  GenerateConferencesDto,
  GenerateResultDto,
  ListConferencesQuery,
  ReorderAgendaDto,
} from './dto/conference.dto.js';

@ApiTags('conferences')
@ApiBearerAuth()
@Controller()
export class ConferencesController {
  constructor(
    private readonly conferences: ConferencesService,
    private readonly agenda: AgendaService,
  ) {}

  @Post('groups/:id/conferences')
  @RequirePermission('conferences:manage')
  @ApiOperation({ summary: 'Schedule a conference (the group’s coordinator); extraordinary: at short notice, no cut-off' })
  @ApiCreatedResponse({ type: ConferenceDto })
  schedule(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) groupId: string, @Body() dto: CreateConferenceDto): Promise<ConferenceDto> {
    return this.conferences.schedule(user, groupId, dto);
  }

  @Post('groups/:id/conferences/generate')
  @RequirePermission('conferences:manage')
  @ApiOperation({ summary: 'Create the conferences of the group’s cadence in a period (idempotent; holidays move to the next working day)' })
  @ApiCreatedResponse({ type: GenerateResultDto })
  generate(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) groupId: string, @Body() dto: GenerateConferencesDto): Promise<GenerateResultDto> {
    return this.conferences.generate(user, groupId, dto);
  }

  @Get('groups/:id/conferences')
  @RequirePermission('conferences:read')
  @ApiOperation({ summary: 'The group’s conferences by start, without agendas (?from&to: Helsinki dates, inclusive)' })
  @ApiOkResponse({ type: ConferencePageDto })
  list(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) groupId: string, @Query() q: ListConferencesQuery): Promise<ConferencePageDto> {
    return this.conferences.list(user, groupId, q);
  }

  @Get('conferences/:id')
  @RequirePermission('conferences:read')
  @ApiOperation({ summary: 'A conference with its agenda (coordinator, chair; member agencies’ representatives once published)' })
  @ApiOkResponse({ type: ConferenceDto })
  get(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string): Promise<ConferenceDto> {
    return this.conferences.get(user, id);
  }

  @Post('conferences/:id/publish')
  @HttpCode(200)
  @RequirePermission('conferences:manage')
  @ApiOperation({ summary: 'Publish the agenda (coordinator): planned → agenda_published; notices to every member agency; If-Match: version' })
  @ApiOkResponse({ type: ConferenceDto })
  publish(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string, @Headers('if-match') ifMatch?: string): Promise<ConferenceDto> {
    return this.conferences.publish(user, id, expectedVersion(ifMatch));
  }

  @Post('conferences/:id/agenda')
  @RequirePermission('conferences:manage')
  @ApiOperation({ summary: 'Put an open case of the group on the agenda (coordinator); If-Match: version' })
  @ApiCreatedResponse({ type: ConferenceDto })
  add(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: AddAgendaItemDto,
    @Headers('if-match') ifMatch?: string,
  ): Promise<ConferenceDto> {
    return this.agenda.add(user, id, dto.caseId, expectedVersion(ifMatch));
  }

  @Delete('conferences/:id/agenda/:itemId')
  @HttpCode(204)
  @RequirePermission('conferences:manage')
  @ApiOperation({ summary: 'Take a scheduled case off the agenda (coordinator); If-Match: version' })
  @ApiNoContentResponse()
  remove(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseUUIDPipe) id: string,
    @Param('itemId', ParseUUIDPipe) itemId: string,
    @Headers('if-match') ifMatch?: string,
  ): Promise<void> {
    return this.agenda.remove(user, id, itemId, expectedVersion(ifMatch));
  }

  @Put('conferences/:id/agenda/order')
  @RequirePermission('conferences:manage')
  @ApiOperation({ summary: 'Reorder the scheduled items (coordinator): itemIds lists each exactly once; If-Match or version → 409 on a lost race' })
  @ApiOkResponse({ type: ConferenceDto })
  reorder(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: ReorderAgendaDto,
    @Headers('if-match') ifMatch?: string,
  ): Promise<ConferenceDto> {
    return this.agenda.reorder(user, id, dto.itemIds, expectedVersion(ifMatch, dto.version));
  }
}
