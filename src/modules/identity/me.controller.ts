import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser } from '../../common/auth/current-user.decorator.js';
import { RequirePermission } from '../../common/auth/permissions.js';
import { Problem } from '../../common/problems/problem.js';
import type { AuthUser } from '../../common/request-context.js';
import { AuthService } from './auth.service.js';
import { MfaCodeDto, TokensDto } from './dto/auth.dto.js';
import { UsersService } from './users.service.js';

@ApiTags('identity')
@ApiBearerAuth()
@Controller('me')
export class MeController {
  constructor(private readonly users: UsersService, private readonly auth: AuthService) {}

  @Get()
  @RequirePermission('self')
  async me(@CurrentUser() user: AuthUser) {
    const u = await this.users.find(user.id);
    if (!u) throw Problem.notFound('The user');
    return { id: u.id, email: u.email, name: u.name, agencyId: u.agencyId, roles: u.roles, mfaEnabled: u.mfaEnabled };
  }

  @Post('mfa/enroll')
  @HttpCode(200)
  @RequirePermission('self')
  @ApiOperation({ summary: 'Start TOTP enrolment: a secret and an otpauth:// URL for the authenticator app' })
  enrol(@CurrentUser() user: AuthUser): Promise<{ secret: string; otpauthUrl: string }> {
    return this.auth.enrolMfa(user);
  }

  @Post('mfa/verify')
  @HttpCode(200)
  @RequirePermission('self')
  @ApiOperation({ summary: 'Finish enrolment with a code; answers tokens of a session with both factors' })
  verify(@CurrentUser() user: AuthUser, @Body() dto: MfaCodeDto): Promise<TokensDto> {
    return this.auth.verifyMfaEnrolment(user, dto.code);
  }
}
