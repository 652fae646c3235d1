import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsEmail, IsIn, IsOptional, IsString, IsUUID, Length, Matches, ValidateNested } from 'class-validator';
import { MAILBOX } from '../../../common/mailbox.js';

export const ROLES = ['admin', 'coordinator', 'chair', 'agency_rep', 'referrer', 'analyst'] as const;

export class RoleGrantDto {
  @ApiProperty({ enum: ROLES }) @IsIn(ROLES) role: (typeof ROLES)[number];
  @ApiPropertyOptional({ description: 'Required for every role but admin' }) @IsOptional() @IsUUID() groupId?: string;
}

export class CreateUserDto {
  @ApiProperty() @IsEmail() @Matches(MAILBOX, { message: 'email must be a plain address such as name@agency.fi' }) @Length(3, 254) email: string;
  @ApiProperty() @IsString() @Length(1, 200) name: string;
  @ApiPropertyOptional({ description: 'Required for every role but admin' }) @IsOptional() @IsUUID() agencyId?: string;
  @ApiProperty({ minLength: 12 }) @IsString() @Length(1, 256) password: string;
  @ApiProperty({ type: [RoleGrantDto] }) @IsArray() @ArrayMaxSize(50) @ValidateNested({ each: true }) @Type(() => RoleGrantDto) roles: RoleGrantDto[];
}

export class UpdateUserDto {
  @ApiPropertyOptional({ type: [RoleGrantDto] }) @IsOptional() @IsArray() @ArrayMaxSize(50) @ValidateNested({ each: true }) @Type(() => RoleGrantDto) roles?: RoleGrantDto[];
  @ApiPropertyOptional() @IsOptional() @IsBoolean() active?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 200) name?: string;
}

export class UserDto {
  @ApiProperty() id: string;
  @ApiProperty() email: string;
  @ApiProperty() name: string;
  @ApiPropertyOptional() agencyId: string | null;
  @ApiProperty({ type: [RoleGrantDto] }) roles: { role: string; groupId: string | null }[];
  @ApiProperty() active: boolean;
  @ApiProperty() mfaEnabled: boolean;
  @ApiProperty() version: number;
}
