import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize, IsArray, IsDefined, IsIn, IsInt, IsISO8601, IsObject, IsOptional, IsString, IsUUID, Length, Matches, Max, Min, ValidateNested,
} from 'class-validator';
import { ChildDto, PersonDto } from '../../people/dto/person.dto.js';
import { LimitQuery } from '../../../common/pagination.js';

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

export class RiskAssessmentDto {
  @ApiProperty({ example: 'marak' }) @IsString() @Matches(/^[a-z0-9-]{1,40}$/) formCode: string;
  @ApiPropertyOptional({ description: 'Defaults to the newest version of the form' }) @IsOptional() @IsInt() @Min(1) formVersion?: number;
  @ApiProperty({ description: 'questionId → yes | no | unknown; unanswered questions count as unknown', example: { 'threats-to-kill': 'yes' } })
  @IsObject()
  answers: Record<string, string>;
}

export class GroundsDto {
  @ApiPropertyOptional({ description: "The referrer's reasoned judgement of high risk" }) @IsOptional() @IsString() @Length(1, 4000) professionalJudgement?: string;
  @ApiPropertyOptional({ description: 'Incidents of domestic violence known to any agency in the last 12 months' }) @IsOptional() @IsInt() @Min(0) @Max(1000) incidents12Months?: number;
}

export class ConsentDto {
  @ApiProperty({ enum: ['given', 'refused', 'not_asked'] }) @IsIn(['given', 'refused', 'not_asked']) status: 'given' | 'refused' | 'not_asked';
  @ApiPropertyOptional({ format: 'date' }) @IsOptional() @Matches(DATE_ONLY) @IsISO8601({ strict: true }) givenAt?: string;
  @ApiPropertyOptional({ enum: ['written', 'verbal'] }) @IsOptional() @IsIn(['written', 'verbal']) method?: 'written' | 'verbal';
}

export class ChildWelfareNotificationDto {
  @ApiProperty({ enum: ['made', 'will_make', 'not_needed'] }) @IsIn(['made', 'will_make', 'not_needed']) status: 'made' | 'will_make' | 'not_needed';
  @ApiPropertyOptional({ format: 'date' }) @IsOptional() @Matches(DATE_ONLY) @IsISO8601({ strict: true }) madeAt?: string;
}

export const RELATIONSHIPS = ['partner', 'ex_partner', 'family', 'other'] as const;

export class CreateReferralDto {
  @ApiProperty() @IsUUID() groupId: string;
  @ApiProperty({ type: PersonDto }) @IsDefined() @ValidateNested() @Type(() => PersonDto) victim: PersonDto;
  @ApiProperty({ type: [PersonDto] }) @IsArray() @ArrayMaxSize(5) @ValidateNested({ each: true }) @Type(() => PersonDto) perpetrators: PersonDto[];
  @ApiProperty({ type: [ChildDto] }) @IsArray() @ArrayMaxSize(15) @ValidateNested({ each: true }) @Type(() => ChildDto) children: ChildDto[];
  @ApiProperty({ enum: RELATIONSHIPS }) @IsIn(RELATIONSHIPS) relationship: (typeof RELATIONSHIPS)[number];
  @ApiProperty({ type: RiskAssessmentDto }) @IsDefined() @ValidateNested() @Type(() => RiskAssessmentDto) riskAssessment: RiskAssessmentDto;
  @ApiProperty({ type: GroundsDto }) @IsDefined() @ValidateNested() @Type(() => GroundsDto) grounds: GroundsDto;
  @ApiProperty({ type: ConsentDto }) @IsDefined() @ValidateNested() @Type(() => ConsentDto) consent: ConsentDto;
  @ApiPropertyOptional({ type: ChildWelfareNotificationDto }) @IsOptional() @ValidateNested() @Type(() => ChildWelfareNotificationDto) childWelfareNotification?: ChildWelfareNotificationDto;
  @ApiProperty({ description: 'What happened and why MARAK; free text, encrypted' }) @IsString() @Length(1, 8000) summary: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 4000) immediateSafetyMeasures?: string;
}

/** A draft's edit: the whole referral again (people are replaced), with the version it was read at. */
export class UpdateReferralDto extends CreateReferralDto {
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(1) version?: number;
}

export class ReasonDto {
  @ApiProperty() @IsString() @Length(1, 2000) reason: string;
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(1) version?: number;
}

export class AcceptReferralDto {
  @ApiPropertyOptional({ description: 'Place on this conference instead of the next one with room' }) @IsOptional() @IsUUID() conferenceId?: string;
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(1) version?: number;
}

export class VersionDto {
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(1) version?: number;
}

export class ListReferralsQuery extends LimitQuery {
  @ApiPropertyOptional() @IsOptional() @IsUUID() groupId?: string;
  @ApiPropertyOptional({ enum: ['draft', 'submitted', 'returned', 'accepted', 'declined', 'withdrawn'] })
  @IsOptional() @IsIn(['draft', 'submitted', 'returned', 'accepted', 'declined', 'withdrawn']) status?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 200) cursor?: string;
}
