import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, Matches, Validate, ValidatorConstraint, type ValidatorConstraintInterface } from 'class-validator';
import { isCalendarDate } from '../../../../libs/business-calendar/index.js';

@ValidatorConstraint({ name: 'calendarDate' })
class IsCalendarDateConstraint implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return isCalendarDate(value);
  }
  defaultMessage(): string {
    return 'must be a calendar date YYYY-MM-DD';
  }
}

/** `?from&to[&format]`: Helsinki calendar dates, both inclusive. */
export class StatisticsQueryDto {
  @ApiProperty({ example: '2026-01-01', description: 'first day of the period (Helsinki date, inclusive)' })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'from must be a date YYYY-MM-DD' })
  @Validate(IsCalendarDateConstraint)
  from: string;

  @ApiProperty({ example: '2026-12-31', description: 'last day of the period (Helsinki date, inclusive)' })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'to must be a date YYYY-MM-DD' })
  @Validate(IsCalendarDateConstraint)
  to: string;

  @ApiPropertyOptional({ enum: ['json', 'csv'], default: 'json' })
  @IsOptional()
  @IsIn(['json', 'csv'])
  format?: 'json' | 'csv';
}

const CELL = { oneOf: [{ type: 'integer', minimum: 0 }, { type: 'string', enum: ['<5', 'x'] }], description: 'a count; "<5" for 1–4, "x" hidden so that a "<5" cannot be worked out' };
const CELLS = { type: 'object', additionalProperties: CELL };

/** The published statistics of one group (or the total). */
export class StatisticsBlockDto {
  @ApiProperty({ type: 'object', properties: { total: CELL, byAgencyKind: CELLS, byEligibilityGround: CELLS, accepted: CELL, declined: CELL, pending: CELL, withdrawn: CELL } } as never)
  referrals: object;
  @ApiProperty({ type: 'object', properties: { new: CELL, repeat: CELL, repeatRatePercent: { type: 'number', nullable: true } } } as never)
  cases: object;
  @ApiProperty({ type: 'object', properties: { total: CELL, byGender: CELLS, byAgeBand: CELLS } } as never)
  victims: object;
  @ApiProperty({ type: 'object', properties: { inHouseholds: CELL, referralsWithChildren: CELL } } as never)
  children: object;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'agreed, completedOnTime, completedLate, notCompleted, onTimeRatePercent, byAgency[]' } as never)
  actions: object;
  @ApiProperty({ type: 'object', properties: { heard: CELL, medianWorkingDays: { type: 'number', nullable: true } } } as never)
  referralToHearing: object;
}

export class PeriodDto {
  @ApiProperty({ example: '2026-01-01' }) from: string;
  @ApiProperty({ example: '2026-12-31' }) to: string;
}

export class GroupStatisticsDto extends StatisticsBlockDto {
  @ApiProperty({ format: 'uuid' }) groupId: string;
  @ApiProperty() period: PeriodDto;
}

export class DeploymentGroupRowDto extends StatisticsBlockDto {
  @ApiProperty({ format: 'uuid' }) groupId: string;
  @ApiProperty() name: string;
}

export class DeploymentStatisticsDto {
  @ApiProperty() period: PeriodDto;
  @ApiProperty({ type: [DeploymentGroupRowDto] }) groups: DeploymentGroupRowDto[];
  @ApiProperty() total: StatisticsBlockDto;
}
