import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { IsBoolean, IsEmail, IsIn, IsOptional, IsString, Length, Matches } from 'class-validator';
import { MAILBOX } from '../../../common/mailbox.js';

export const AGENCY_KINDS = ['police', 'social_services', 'child_welfare', 'health', 'mental_health', 'substance_abuse', 'housing', 'victim_support', 'shelter', 'probation', 'education', 'other'] as const;
export type AgencyKind = (typeof AGENCY_KINDS)[number];

export class CreateAgencyDto {
  @ApiProperty({ example: 'Sisä-Suomen poliisilaitos' }) @IsString() @Length(1, 200) name: string;
  @ApiProperty({ enum: AGENCY_KINDS }) @IsIn(AGENCY_KINDS) kind: AgencyKind;
  @ApiProperty({ description: "The agency's functional mailbox for notices", example: 'marak@poliisi.example' }) @IsEmail() @Matches(MAILBOX, { message: 'email must be a plain address such as name@agency.fi' }) @Length(3, 254) email: string;
  @ApiPropertyOptional({ example: 'Tampere' }) @IsOptional() @IsString() @Length(1, 100) municipality?: string;
}

export class UpdateAgencyDto extends PartialType(CreateAgencyDto) {
  @ApiPropertyOptional() @IsOptional() @IsBoolean() active?: boolean;
}

export class AgencyDto {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: AGENCY_KINDS }) kind: AgencyKind;
  @ApiProperty() email: string;
  @ApiPropertyOptional() municipality: string | null;
  @ApiProperty() active: boolean;
  @ApiProperty() version: number;
}
