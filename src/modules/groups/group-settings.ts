import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, Validate, ValidatorConstraint, type ValidatorConstraintInterface } from 'class-validator';
import rrule from 'rrule';
import { defaultRiskForms } from '../../../libs/risk-forms/index.js';

/** A group's settings, defaults from DOMAIN.md. Every number is per group. */
export interface GroupSettings {
  cadence: string;
  meetingStartTime: string;
  minutesPerCase: number;
  maxCasesPerConference: number;
  referralCutoffWorkingDays: number;
  triageWithinWorkingDays: number;
  acknowledgeWithinWorkingDays: number;
  acknowledgeEscalateAfterWorkingDays: number;
  dueReminderWorkingDays: number;
  overdueCoordinatorAfterWorkingDays: number;
  overdueChairAfterWorkingDays: number;
  victimViewsReminderWorkingDays: number;
  requireConsent: boolean;
  repeatWindowMonths: number;
  escalationIncidentThreshold: number;
  riskFormCode: string;
  retentionYears: number;
  actionDigest: boolean;
  locale: 'fi' | 'sv' | 'en';
}

export const DEFAULT_GROUP_SETTINGS: Readonly<GroupSettings> = Object.freeze({
  cadence: 'FREQ=MONTHLY;BYDAY=TU;BYSETPOS=2',
  meetingStartTime: '09:00',
  minutesPerCase: 15,
  maxCasesPerConference: 15,
  referralCutoffWorkingDays: 8,
  triageWithinWorkingDays: 1,
  acknowledgeWithinWorkingDays: 2,
  acknowledgeEscalateAfterWorkingDays: 2,
  dueReminderWorkingDays: 2,
  overdueCoordinatorAfterWorkingDays: 2,
  overdueChairAfterWorkingDays: 5,
  victimViewsReminderWorkingDays: 3,
  requireConsent: true,
  repeatWindowMonths: 12,
  escalationIncidentThreshold: 3,
  riskFormCode: 'marak',
  retentionYears: 5,
  actionDigest: false,
  locale: 'fi',
});

@ValidatorConstraint({ name: 'rrule' })
export class IsRecurrenceRule implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    if (typeof value !== 'string' || value.length > 500 || /DTSTART|UNTIL=.*[^0-9TZ;]/.test(value)) return false;
    try {
      const options = rrule.RRule.parseString(value.replace(/^RRULE:/, ''));
      return options.freq !== undefined && options.freq <= rrule.RRule.DAILY && options.freq >= rrule.RRule.YEARLY;
    } catch {
      return false;
    }
  }
  defaultMessage(): string {
    return 'cadence must be an RFC 5545 RRULE with a yearly, monthly, weekly or daily frequency, such as FREQ=MONTHLY;BYDAY=TU;BYSETPOS=2';
  }
}

@ValidatorConstraint({ name: 'riskForm' })
export class IsKnownRiskForm implements ValidatorConstraintInterface {
  private static readonly forms = defaultRiskForms();
  validate(value: unknown): boolean {
    return typeof value === 'string' && IsKnownRiskForm.forms.latest(value) !== undefined;
  }
  defaultMessage(): string {
    return 'riskFormCode must name a risk form of this deployment (GET /api/v1/risk-forms)';
  }
}

/** The settings a request may change; all optional, unknown ones refused by the global pipe. */
export class GroupSettingsDto implements Partial<GroupSettings> {
  @ApiPropertyOptional({ example: DEFAULT_GROUP_SETTINGS.cadence }) @IsOptional() @IsString() @Validate(IsRecurrenceRule) cadence?: string;
  @ApiPropertyOptional({ example: '09:00' }) @IsOptional() @Matches(/^([01]\d|2[0-3]):[0-5]\d$/, { message: 'meetingStartTime must be HH:mm' }) meetingStartTime?: string;
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(5) @Max(120) minutesPerCase?: number;
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(1) @Max(50) maxCasesPerConference?: number;
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(0) @Max(30) referralCutoffWorkingDays?: number;
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(0) @Max(10) triageWithinWorkingDays?: number;
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(1) @Max(20) acknowledgeWithinWorkingDays?: number;
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(1) @Max(20) acknowledgeEscalateAfterWorkingDays?: number;
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(0) @Max(20) dueReminderWorkingDays?: number;
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(0) @Max(30) overdueCoordinatorAfterWorkingDays?: number;
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(0) @Max(60) overdueChairAfterWorkingDays?: number;
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(0) @Max(20) victimViewsReminderWorkingDays?: number;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() requireConsent?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(1) @Max(60) repeatWindowMonths?: number;
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(1) @Max(50) escalationIncidentThreshold?: number;
  @ApiPropertyOptional() @IsOptional() @IsString() @Matches(/^[a-z0-9-]{1,40}$/) @Validate(IsKnownRiskForm) riskFormCode?: string;
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(1) @Max(30) retentionYears?: number;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() actionDigest?: boolean;
  @ApiPropertyOptional({ enum: ['fi', 'sv', 'en'] }) @IsOptional() @IsIn(['fi', 'sv', 'en']) locale?: 'fi' | 'sv' | 'en';
}

export function mergeSettings(current: Partial<GroupSettings>, change: Partial<GroupSettings>): GroupSettings {
  const defined = Object.fromEntries(Object.entries(change).filter(([, v]) => v !== undefined));
  return { ...DEFAULT_GROUP_SETTINGS, ...current, ...defined };
}
