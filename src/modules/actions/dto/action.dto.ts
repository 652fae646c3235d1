import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, IsString, IsUUID, Length, Matches, Min } from 'class-validator';
import { LimitQuery } from '../../../common/pagination.js';

export const ACTION_STATUSES = ['assigned', 'acknowledged', 'completed', 'declined', 'not_possible', 'cancelled'] as const;
export type ActionStatus = (typeof ACTION_STATUSES)[number];
/** Still the owning agency's or the coordinator's to act on: the ladder runs for these. */
export const OPEN_STATUSES: readonly ActionStatus[] = ['assigned', 'acknowledged', 'declined'];

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export class ActionEventDto {
  @ApiProperty() at!: string;
  @ApiProperty({ description: 'assigned, acknowledged, completed, declined, not_possible, reassigned, edited, cancelled, or a rung of the ladder (action.acknowledge-reminder, action.overdue.chair, …)' })
  event!: string;
  @ApiPropertyOptional({ nullable: true, description: 'null: the system' }) actorId!: string | null;
  @ApiPropertyOptional({ nullable: true }) fromStatus!: string | null;
  @ApiPropertyOptional({ nullable: true }) toStatus!: string | null;
  @ApiPropertyOptional({ nullable: true }) agencyId!: string | null;
  @ApiPropertyOptional({ nullable: true }) dueDate!: string | null;
  @ApiPropertyOptional({ nullable: true }) escalationLevel!: number | null;
  @ApiPropertyOptional({ nullable: true, description: 'The reason given (decline, not possible, reassignment, cancellation)' }) reason!: string | null;
}

export class ActionDto {
  @ApiProperty() id!: string;
  @ApiProperty() caseId!: string;
  @ApiProperty() caseReference!: string;
  @ApiProperty() groupId!: string;
  @ApiProperty() agencyId!: string;
  @ApiProperty() agencyName!: string;
  @ApiPropertyOptional({ nullable: true }) conferenceId!: string | null;
  @ApiPropertyOptional({ nullable: true }) agendaItemId!: string | null;
  @ApiProperty() description!: string;
  @ApiProperty({ description: 'YYYY-MM-DD, Europe/Helsinki; always a working day' }) dueDate!: string;
  @ApiProperty({ enum: ACTION_STATUSES }) status!: ActionStatus;
  @ApiProperty() assignedAt!: string;
  @ApiPropertyOptional({ nullable: true }) acknowledgedAt!: string | null;
  @ApiPropertyOptional({ nullable: true }) completedAt!: string | null;
  @ApiPropertyOptional({ nullable: true }) outcome!: string | null;
  @ApiPropertyOptional({ nullable: true, description: 'The reason of the latest decline, not-possible or cancellation' }) reason!: string | null;
  @ApiProperty({ description: 'Open (assigned, acknowledged or declined) and its due date has passed (Helsinki)' }) overdue!: boolean;
  @ApiProperty({ description: '0 none, 1 the agency reminded or told it is overdue, 2 the coordinator, 3 the chair' }) escalationLevel!: number;
  @ApiPropertyOptional({ type: [ActionEventDto], description: 'GET /actions/:id only' }) history?: ActionEventDto[];
  @ApiProperty() version!: number;
}

export class ActionPageDto {
  @ApiProperty({ type: [ActionDto] }) items!: ActionDto[];
  @ApiPropertyOptional({ nullable: true }) nextCursor!: string | null;
}

const toBoolean = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);

export class ListActionsQuery extends LimitQuery {
  @ApiPropertyOptional({ description: 'An agency representative may name only their own agency' }) @IsOptional() @IsUUID() agencyId?: string;
  @ApiPropertyOptional() @IsOptional() @IsUUID() groupId?: string;
  @ApiPropertyOptional() @IsOptional() @IsUUID() caseId?: string;
  @ApiPropertyOptional({ description: 'One status or several, comma-separated', example: 'assigned,acknowledged' })
  @IsOptional()
  @Matches(/^(assigned|acknowledged|completed|declined|not_possible|cancelled)(,(assigned|acknowledged|completed|declined|not_possible|cancelled))*$/, {
    message: 'status must be one or more of assigned, acknowledged, completed, declined, not_possible, cancelled, comma-separated',
  })
  status?: string;
  @ApiPropertyOptional({ type: Boolean }) @IsOptional() @Transform(toBoolean) @IsBoolean() overdue?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 300) cursor?: string;
}

export class VersionBody {
  @ApiPropertyOptional({ description: 'The version the change expects (or If-Match)' }) @IsOptional() @IsInt() @Min(1) version?: number;
}

export class CompleteActionDto extends VersionBody {
  @ApiProperty({ description: 'What was done (encrypted at rest; never mailed)' }) @IsString() @Length(1, 4000) outcome!: string;
}

export class ReasonDto extends VersionBody {
  @ApiProperty({ description: 'Encrypted at rest; never mailed' }) @IsString() @Length(1, 4000) reason!: string;
}

export class ReassignActionDto extends ReasonDto {
  @ApiProperty({ description: 'A member agency of the group, other than the current one' }) @IsUUID() agencyId!: string;
}

export class UpdateActionDto extends VersionBody {
  @ApiPropertyOptional({ description: 'YYYY-MM-DD; a day that is not a working day moves to the next one' }) @IsOptional() @Matches(DATE, { message: 'dueDate must be YYYY-MM-DD' }) dueDate?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 2000) description?: string;
}

