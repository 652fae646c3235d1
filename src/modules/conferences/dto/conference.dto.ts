import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayUnique, IsArray, IsBoolean, IsISO8601, IsInt, IsOptional, IsString, IsUUID, Length, Matches, Min } from 'class-validator';
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
  @ApiProperty({ type: [Object], description: 'Recorded at the conference (not yet implemented: always empty)' }) attendance: unknown[];
}

export class ConferencePageDto {
  @ApiProperty({ type: [ConferenceSummaryDto] }) items: ConferenceSummaryDto[];
  @ApiPropertyOptional({ nullable: true }) nextCursor: string | null;
}

export class GenerateResultDto {
  @ApiProperty({ description: 'How many conferences this call created (0 when the period was already generated)' }) created: number;
  @ApiProperty({ type: [ConferenceSummaryDto], description: 'The group’s conferences in the period, created now or before' }) items: ConferenceSummaryDto[];
}
