import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayUnique, IsArray, IsBoolean, IsIn, IsISO8601, IsInt, IsOptional, IsString, IsUUID, Length, Matches, Max, Min, ValidateNested } from 'class-validator';
import { LimitQuery } from '../../../common/pagination.js';

export const CONFERENCE_STATUSES = ['planned', 'agenda_published', 'in_session', 'concluded'] as const;
export type ConferenceStatus = (typeof CONFERENCE_STATUSES)[number];
export const AGENDA_KINDS = ['new', 'repeat', 'review'] as const;
export type AgendaKind = (typeof AGENDA_KINDS)[number];
export const AGENDA_ITEM_STATUSES = ['scheduled', 'heard', 'deferred'] as const;
export type AgendaItemStatus = (typeof AGENDA_ITEM_STATUSES)[number];

/** An instant with an explicit offset: `2027-01-12T07:00:00Z`, `2027-01-12T09:00:00+02:00`. */
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export class CreateConferenceDto {
  @ApiProperty({ example: '2027-01-12T07:00:00.000Z', description: 'ISO 8601 with Z or an offset' })
  @IsString()
  @Matches(INSTANT, { message: 'startsAt must be an ISO 8601 instant with Z or an offset' })
  @IsISO8601({ strict: true })
  startsAt: string;

  @ApiPropertyOptional({ description: 'Default: startsAt + capacity × minutesPerCase + 30 minutes' })
  @IsOptional()
  @IsString()
  @Matches(INSTANT, { message: 'endsAt must be an ISO 8601 instant with Z or an offset' })
  @IsISO8601({ strict: true })
  endsAt?: string;

  @ApiPropertyOptional({ example: 'Poliisitalo, neuvotteluhuone 3', maxLength: 200 })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  location?: string;

  @ApiPropertyOptional({ description: 'An emergency conference at short notice: no cut-off, cases are put on it explicitly' })
  @IsOptional()
  @IsBoolean()
  extraordinary?: boolean;
}

export class GenerateConferencesDto {
  @ApiProperty({ example: '2027-01-01', description: 'Helsinki date, inclusive' })
  @Matches(DATE, { message: 'from must be a YYYY-MM-DD date' })
  from: string;

  @ApiProperty({ example: '2027-12-31', description: 'Helsinki date, inclusive; at most 731 days after from' })
  @Matches(DATE, { message: 'to must be a YYYY-MM-DD date' })
  to: string;
}

export class ListConferencesQuery extends LimitQuery {
  @ApiPropertyOptional({ example: '2027-01-01', description: 'meetings on or after this Helsinki date' })
  @IsOptional()
  @Matches(DATE, { message: 'from must be a YYYY-MM-DD date' })
  from?: string;

  @ApiPropertyOptional({ example: '2027-12-31', description: 'meetings on or before this Helsinki date' })
  @IsOptional()
  @Matches(DATE, { message: 'to must be a YYYY-MM-DD date' })
  to?: string;


  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @Matches(INSTANT, { message: 'cursor must be a nextCursor returned by this endpoint' })
  cursor?: string;
}

export class AddAgendaItemDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all')
  caseId: string;
}

export class ReorderAgendaDto {
  @ApiProperty({ type: [String], description: 'Every scheduled item of the agenda, each once, in the new order' })
  @IsArray()
  @ArrayMaxSize(200)
  @ArrayUnique()
  @IsUUID('all', { each: true })
  itemIds: string[];

  @ApiPropertyOptional({ description: 'The conference version the order was made from (or If-Match)' })
  @IsOptional()
  @IsInt()
  @Min(1)
  version?: number;
}

export class AgendaItemDto {
  @ApiProperty({ format: 'uuid' }) itemId: string;
  @ApiProperty({ format: 'uuid' }) caseId: string;
  @ApiProperty({ example: 'MRK-2027-00042' }) caseReference: string;
  @ApiProperty({ description: '0-based' }) position: number;
  @ApiProperty({ format: 'date-time', description: 'startsAt + position × minutesPerCase' }) slotStartsAt: string;
  @ApiProperty({ enum: AGENDA_KINDS }) kind: AgendaKind;
  @ApiProperty({ enum: AGENDA_ITEM_STATUSES }) status: AgendaItemStatus;
}

export class ConferenceSummaryDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) groupId: string;
  @ApiProperty({ format: 'date-time' }) startsAt: string;
  @ApiProperty({ format: 'date-time' }) endsAt: string;
  @ApiProperty({ enum: CONFERENCE_STATUSES }) status: ConferenceStatus;
  @ApiProperty({ format: 'date-time', description: 'Automatic placement only before this instant' }) cutoffAt: string;
  @ApiProperty() capacity: number;
  @ApiProperty() minutesPerCase: number;
  @ApiProperty({ description: 'Scheduled agenda items' }) scheduledCount: number;
  @ApiPropertyOptional({ nullable: true }) location: string | null;
  @ApiProperty() extraordinary: boolean;
  @ApiProperty() version: number;
}

export class ConferenceDto extends ConferenceSummaryDto {
  @ApiProperty({ type: [AgendaItemDto] }) agenda: AgendaItemDto[];
  @ApiProperty({ type: () => [AttendanceDto], description: 'Recorded at the conference (PUT /conferences/:id/attendance); empty until then' }) attendance: AttendanceDto[];
}

export class ConferencePageDto {
  @ApiProperty({ type: [ConferenceSummaryDto] }) items: ConferenceSummaryDto[];
  @ApiPropertyOptional({ nullable: true }) nextCursor: string | null;
}

export class GenerateResultDto {
  @ApiProperty({ description: 'How many conferences this call created (0 when the period was already generated)' }) created: number;
  @ApiProperty({ type: [ConferenceSummaryDto], description: 'The group’s conferences in the period, created now or before' }) items: ConferenceSummaryDto[];
}

// --- the meeting (meeting.service.ts) ---------------------------------------------------

export const RISK_LEVELS = ['high', 'medium', 'standard'] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];
export const MAX_OUTCOME_ACTIONS = 30;

export class AttendanceEntryDto {
  @ApiProperty({ format: 'uuid', description: 'A member agency of the group' })
  @IsUUID('all')
  agencyId: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'An active user of that agency (the person attending)' })
  @IsOptional()
  @IsUUID('all')
  userId?: string;

  @ApiProperty()
  @IsBoolean()
  present: boolean;

  @ApiProperty({ description: 'Must be true for a present attendee: confidentiality is acknowledged before any case is discussed' })
  @IsBoolean()
  confidentialityAcknowledged: boolean;
}

export class RecordAttendanceDto {
  @ApiProperty({ type: [AttendanceEntryDto], description: 'The whole attendance list (replaces the previous one)' })
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => AttendanceEntryDto)
  entries: AttendanceEntryDto[];

  @ApiPropertyOptional({ description: 'The conference version the list was made from (or If-Match)' })
  @IsOptional()
  @IsInt()
  @Min(1)
  version?: number;
}

export class AttendanceDto {
  @ApiProperty({ format: 'uuid' }) agencyId: string;
  @ApiProperty() agencyName: string;
  @ApiPropertyOptional({ format: 'uuid', nullable: true }) userId: string | null;
  @ApiProperty() present: boolean;
  @ApiProperty() confidentialityAcknowledged: boolean;
  @ApiPropertyOptional({ format: 'date-time', nullable: true, description: 'When the acknowledgement was first recorded' }) acknowledgedAt: string | null;
}

export class OutcomeActionDto {
  @ApiProperty({ format: 'uuid', description: 'The agency that owns the action (a member of the group)' })
  @IsUUID('all')
  agencyId: string;

  @ApiProperty({ minLength: 1, maxLength: 2000, description: 'Encrypted at rest; never mailed' })
  @IsString()
  @Length(1, 2000)
  description: string;

  @ApiPropertyOptional({ example: '2027-04-06', description: 'A Helsinki date; exactly one of dueDate and dueInWorkingDays' })
  @IsOptional()
  @Matches(DATE, { message: 'dueDate must be a YYYY-MM-DD date' })
  dueDate?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 250, description: 'Working days from the meeting’s date; exactly one of dueDate and dueInWorkingDays' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(250)
  dueInWorkingDays?: number;
}

export class RecordOutcomeDto {
  @ApiProperty({ minLength: 1, maxLength: 8000, description: 'The chair’s risk summary (encrypted at rest)' })
  @IsString()
  @Length(1, 8000)
  riskSummary: string;

  @ApiProperty({ enum: RISK_LEVELS })
  @IsIn(RISK_LEVELS)
  riskLevel: RiskLevel;

  @ApiProperty({ type: [OutcomeActionDto], maxItems: MAX_OUTCOME_ACTIONS })
  @IsArray()
  @ArrayMaxSize(MAX_OUTCOME_ACTIONS)
  @ValidateNested({ each: true })
  @Type(() => OutcomeActionDto)
  actions: OutcomeActionDto[];
}

export class DeferItemDto {
  @ApiProperty({ minLength: 1, maxLength: 2000, description: 'Why the case was not heard (encrypted at rest)' })
  @IsString()
  @Length(1, 2000)
  reason: string;
}

export class RecordedActionDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) agencyId: string;
  @ApiProperty() agencyName: string;
  @ApiPropertyOptional({ nullable: true, description: 'null where the reader may not see it (a restricted case)' }) description: string | null;
  @ApiProperty({ example: '2027-04-06' }) dueDate: string;
  @ApiProperty() status: string;
}

export class OutcomeDto {
  @ApiProperty({ format: 'uuid' }) itemId: string;
  @ApiProperty({ format: 'uuid' }) caseId: string;
  @ApiProperty() caseReference: string;
  @ApiProperty({ enum: AGENDA_ITEM_STATUSES }) status: AgendaItemStatus;
  @ApiProperty({ enum: RISK_LEVELS }) riskLevel: RiskLevel;
  @ApiProperty() riskSummary: string;
  @ApiProperty({ format: 'date-time' }) recordedAt: string;
  @ApiProperty({ format: 'uuid' }) recordedBy: string;
  @ApiProperty({ type: [RecordedActionDto] }) actions: RecordedActionDto[];
}

export class DeferredToDto {
  @ApiProperty({ format: 'uuid' }) conferenceId: string;
  @ApiProperty({ format: 'uuid' }) itemId: string;
  @ApiProperty({ format: 'date-time' }) startsAt: string;
  @ApiProperty({ format: 'date-time' }) slotStartsAt: string;
}

export class DeferralDto {
  @ApiProperty({ format: 'uuid' }) itemId: string;
  @ApiProperty({ format: 'uuid' }) caseId: string;
  @ApiProperty() caseReference: string;
  @ApiProperty({ enum: AGENDA_ITEM_STATUSES }) status: AgendaItemStatus;
  @ApiProperty({ type: DeferredToDto, nullable: true, description: 'null for a case closed while the conference was in session: it is placed on no later agenda' })
  deferredTo: DeferredToDto | null;
}

export class MinutesQuery {
  @ApiPropertyOptional({ enum: ['json', 'pdf'], description: 'Or Accept: application/pdf' })
  @IsOptional()
  @IsIn(['json', 'pdf'])
  format?: 'json' | 'pdf';
}

export class MinutesConferenceDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) groupId: string;
  @ApiProperty({ format: 'date-time' }) startsAt: string;
  @ApiProperty({ format: 'date-time' }) endsAt: string;
  @ApiPropertyOptional({ nullable: true }) location: string | null;
  @ApiProperty({ enum: CONFERENCE_STATUSES }) status: ConferenceStatus;
  @ApiProperty() extraordinary: boolean;
  @ApiPropertyOptional({ format: 'date-time', nullable: true }) startedAt: string | null;
  @ApiPropertyOptional({ format: 'date-time', nullable: true }) concludedAt: string | null;
}

export class MinutesOutcomeDto {
  @ApiProperty({ enum: RISK_LEVELS }) riskLevel: RiskLevel;
  @ApiProperty() riskSummary: string;
  @ApiProperty({ format: 'date-time' }) recordedAt: string;
}

export class MinutesDeferralDto {
  @ApiProperty() reason: string;
  @ApiPropertyOptional({ format: 'uuid', nullable: true }) deferredTo: string | null;
  @ApiProperty({ format: 'date-time' }) recordedAt: string;
}

export class MinutesItemDto {
  @ApiProperty({ format: 'uuid' }) itemId: string;
  @ApiProperty({ format: 'uuid' }) caseId: string;
  @ApiProperty() caseReference: string;
  @ApiProperty() position: number;
  @ApiProperty({ enum: AGENDA_KINDS }) kind: AgendaKind;
  @ApiProperty({ enum: AGENDA_ITEM_STATUSES }) status: AgendaItemStatus;
  @ApiProperty({ format: 'date-time' }) slotStartsAt: string;
  @ApiProperty({ description: 'A restricted case the reader is not named on: reference and agencies only' }) restricted: boolean;
  @ApiProperty({ type: [String], description: 'The agencies with actions agreed on the item' }) agencies: string[];
  @ApiPropertyOptional({ type: MinutesOutcomeDto, nullable: true }) outcome: MinutesOutcomeDto | null;
  @ApiPropertyOptional({ type: MinutesDeferralDto, nullable: true }) deferral: MinutesDeferralDto | null;
  @ApiProperty({ type: [RecordedActionDto], description: 'A member agency’s representative sees their own agency’s actions only' }) actions: RecordedActionDto[];
}

export class MinutesDto {
  @ApiProperty({ type: MinutesConferenceDto }) conference: MinutesConferenceDto;
  @ApiProperty({ type: [AttendanceDto] }) attendance: AttendanceDto[];
  @ApiProperty({ type: [MinutesItemDto] }) items: MinutesItemDto[];
}
