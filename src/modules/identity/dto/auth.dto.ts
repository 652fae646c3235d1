import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsString, Length, Matches } from 'class-validator';

export class LoginDto {
  @ApiProperty() @IsEmail() @Length(3, 254) email: string;
  @ApiProperty() @IsString() @Length(1, 256) password: string;
}

export class MfaLoginDto {
  @ApiProperty() @IsString() @Length(10, 2000) mfaToken: string;
  @ApiProperty({ example: '123456' }) @Matches(/^\d{6}$/, { message: 'code must be 6 digits' }) code: string;
}

export class RefreshDto {
  @ApiProperty() @IsString() @Length(10, 200) refreshToken: string;
}

export class MfaCodeDto {
  @ApiProperty({ example: '123456' }) @Matches(/^\d{6}$/, { message: 'code must be 6 digits' }) code: string;
}

export class TokensDto {
  @ApiPropertyOptional() accessToken?: string;
  @ApiPropertyOptional() refreshToken?: string;
  @ApiPropertyOptional({ description: 'Seconds the access token lives' }) expiresIn?: number;
  @ApiPropertyOptional({ description: 'True when a TOTP code is needed: send it with mfaToken to /auth/mfa' }) mfaRequired?: boolean;
  @ApiPropertyOptional() mfaToken?: string;
  @ApiPropertyOptional({ description: 'True when the user must enrol TOTP before seeing case data' }) mfaEnrollmentRequired?: boolean;
}
