import { Body, Controller, Delete, Get, Headers, HttpCode, Param, ParseUUIDPipe, Post, Put, Query, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { CurrentUser } from '../../common/auth/current-user.decorator.js';
import { RequirePermission } from '../../common/auth/permissions.js';
import type { AuthUser } from '../../common/request-context.js';
import { expectedVersion } from '../../common/versioning.js';
import { AgendaService } from './agenda.service.js';
import { ConferencesService } from './conferences.service.js';
import { MeetingService } from './meeting.service.js';
import { MinutesService } from './minutes.service.js';
import {
  AddAgendaItemDto,
  ConferenceDto,
  DeferItemDto,
  DeferralDto,
  MinutesDto,
  MinutesQuery,
  OutcomeDto,
  RecordAttendanceDto,
  RecordOutcomeDto,
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
    private readonly meeting: MeetingService,
    private readonly minutesService: MinutesService,
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

  @Put('conferences/:id/attendance')
  @RequirePermission('conferences:manage')
  @ApiOperation({
    summary: 'Record the attendance (coordinator or chair; replaces the list) while published or in session; a present attendee must acknowledge confidentiality (422); If-Match or version',
  })
  @ApiOkResponse({ type: ConferenceDto })
  recordAttendance(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: RecordAttendanceDto,
    @Headers('if-match') ifMatch?: string,
  ): Promise<ConferenceDto> {
    return this.meeting.recordAttendance(user, id, dto.entries, expectedVersion(ifMatch, dto.version));
  }

  @Post('conferences/:id/start')
  @HttpCode(200)
  @RequirePermission('conferences:chair')
  @ApiOperation({ summary: 'Start the conference (the group’s chair): agenda_published → in_session, on its day, with attendance recorded; If-Match: version' })
  @ApiOkResponse({ type: ConferenceDto })
  start(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string, @Headers('if-match') ifMatch?: string): Promise<ConferenceDto> {
    return this.meeting.start(user, id, expectedVersion(ifMatch));
  }

  @Post('conferences/:id/agenda/:itemId/outcome')
  @HttpCode(200)
  @RequirePermission('conferences:chair')
  @ApiOperation({ summary: 'Record a case’s outcome (the group’s chair, in session): risk summary (encrypted), risk level and the agencies’ actions → item heard' })
  @ApiOkResponse({ type: OutcomeDto })
  recordOutcome(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseUUIDPipe) id: string,
    @Param('itemId', ParseUUIDPipe) itemId: string,
    @Body() dto: RecordOutcomeDto,
    @Headers('if-match') ifMatch?: string,
  ): Promise<OutcomeDto> {
    return this.meeting.recordOutcome(user, id, itemId, dto, expectedVersion(ifMatch));
  }

  @Post('conferences/:id/agenda/:itemId/defer')
  @HttpCode(200)
  @RequirePermission('conferences:manage')
  @ApiOperation({ summary: 'Defer a scheduled case to the group’s next conference, first in its order (coordinator or chair); the reason is encrypted' })
  @ApiOkResponse({ type: DeferralDto })
  defer(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseUUIDPipe) id: string,
    @Param('itemId', ParseUUIDPipe) itemId: string,
    @Body() dto: DeferItemDto,
    @Headers('if-match') ifMatch?: string,
  ): Promise<DeferralDto> {
    return this.meeting.defer(user, id, itemId, dto.reason, expectedVersion(ifMatch));
  }

  @Post('conferences/:id/conclude')
  @HttpCode(200)
  @RequirePermission('conferences:chair')
  @ApiOperation({ summary: 'Conclude the conference (the group’s chair): in_session → concluded; 409 agenda-items-unheard while any item is scheduled' })
  @ApiOkResponse({ type: ConferenceDto })
  conclude(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string, @Headers('if-match') ifMatch?: string): Promise<ConferenceDto> {
    return this.meeting.conclude(user, id, expectedVersion(ifMatch));
  }

  @Get('conferences/:id/minutes')
  @RequirePermission('conferences:read')
  @ApiOperation({
    summary: 'The minutes once the conference has started (JSON; PDF with Accept: application/pdf or ?format=pdf). A representative sees their own agency’s actions only',
  })
  @ApiProduces('application/json', 'application/pdf')
  @ApiOkResponse({ type: MinutesDto })
  async minutes(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseUUIDPipe) id: string,
    @Query() q: MinutesQuery,
    @Headers('accept') accept?: string,
  ): Promise<MinutesDto | StreamableFile> {
    if (q.format === 'pdf' || (q.format === undefined && prefersPdf(accept))) {
      const pdf = await this.minutesService.pdf(user, id);
      return new StreamableFile(pdf, { type: 'application/pdf', disposition: `attachment; filename="minutes-${id}.pdf"`, length: pdf.length });
    }
    return this.minutesService.json(user, id);
  }
}

/** Whether the Accept header names application/pdf before application/json (order, not q-values). */
function prefersPdf(accept: string | undefined): boolean {
  const types = (accept ?? '').split(',').map((t) => t.split(';')[0]!.trim().toLowerCase());
  return types.find((t) => t === 'application/pdf' || t === 'application/json') === 'application/pdf';
}
