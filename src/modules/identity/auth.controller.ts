import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { CurrentUser } from '../../common/auth/current-user.decorator.js';
import { RequirePermission } from '../../common/auth/permissions.js';
import { Public } from '../../common/auth/public.decorator.js';
import type { AuthUser } from '../../common/request-context.js';
import { AuthService } from './auth.service.js';
import { LoginDto, MfaLoginDto, RefreshDto, TokensDto } from './dto/auth.dto.js';

@ApiTags('identity')
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('login')
  @HttpCode(200)
  @Public()
  @ApiOperation({ summary: 'Password login: tokens, or { mfaRequired, mfaToken } when TOTP is enabled' })
  login(@Body() dto: LoginDto, @Req() req: Request): Promise<TokensDto> {
    return this.auth.login(dto.email, dto.password, req.ip ?? 'unknown');
  }

  @Post('mfa')
  @HttpCode(200)
  @Public()
  @ApiOperation({ summary: 'Second step: the mfaToken of /auth/login and a TOTP code' })
  mfa(@Body() dto: MfaLoginDto): Promise<TokensDto> {
    return this.auth.completeMfa(dto.mfaToken, dto.code);
  }

  @Post('refresh')
  @HttpCode(200)
  @Public()
  @ApiOperation({ summary: 'New tokens; the refresh token is single-use and its reuse ends the session' })
  refresh(@Body() dto: RefreshDto): Promise<TokensDto> {
    return this.auth.refresh(dto.refreshToken);
  }

  @Post('logout')
  @HttpCode(204)
  @RequirePermission('self')
  @ApiOperation({ summary: 'Ends the session (every refresh token of it)' })
  logout(@CurrentUser() user: AuthUser): Promise<void> {
    return this.auth.logout(user);
  }
}
