import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayUnique, IsArray, IsIn, IsInt, IsOptional, IsString, IsUUID, Length, Min } from 'class-validator';

export const CLOSE_REASONS = ['actions_completed', 'consent_withdrawn', 'moved_away', 'other'] as const;
export type CloseReason = (typeof CLOSE_REASONS)[number];

export class SetAdvocateDto {
  @ApiProperty({ description: 'A member agency of the case’s group' }) @IsUUID() agencyId!: string;
  @ApiPropertyOptional({ description: 'An active user of that agency' }) @IsOptional() @IsUUID() userId?: string;
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(1) version?: number;
}

export class RestrictionDto {
  @ApiProperty({ type: [String], description: 'The people who may open the case; the coordinator making it is always included' })
  @IsArray() @ArrayMaxSize(50) @ArrayUnique() @IsUUID('all', { each: true }) userIds!: string[];
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(1) version?: number;
}

export class VictimViewsDto {
  @ApiProperty({ description: 'The victim’s views, as the advocate heard them (encrypted at rest)' }) @IsString() @Length(1, 8000) views!: string;
  @ApiPropertyOptional({ description: 'The victim’s wishes (encrypted at rest)' }) @IsOptional() @IsString() @Length(1, 8000) wishes?: string;
}

export class CloseCaseDto {
  @ApiProperty({ enum: CLOSE_REASONS }) @IsIn(CLOSE_REASONS) reason!: CloseReason;
  @ApiPropertyOptional({ description: 'Encrypted at rest; never mailed' }) @IsOptional() @IsString() @Length(1, 4000) note?: string;
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(1) version?: number;
}

export class VersionDto {
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(1) version?: number;
}
