import { Body, Controller, Get, Headers, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser } from '../../common/auth/current-user.decorator.js';
import { RequirePermission } from '../../common/auth/permissions.js';
import type { AuthUser } from '../../common/request-context.js';
import { expectedVersion } from '../../common/versioning.js';
import { AcceptReferralDto, CreateReferralDto, ListReferralsQuery, ReasonDto, UpdateReferralDto, VersionDto } from './dto/referral.dto.js';
import { ReferralsService } from './referrals.service.js';

@ApiTags('referrals')
@ApiBearerAuth()
@ApiHeader({ name: 'Idempotency-Key', required: false, description: 'A retried POST with the same key and body returns the first response' })
@Controller('referrals')
export class ReferralsController {
  constructor(private readonly referrals: ReferralsService) {}

  @Post()
  @RequirePermission('referrals:create')
  @ApiOperation({ summary: 'Create a draft referral (any worker of a member agency)' })
  create(@CurrentUser() user: AuthUser, @Body() dto: CreateReferralDto) {
    return this.referrals.create(user, dto);
  }

  @Get()
  @RequirePermission('referrals:read')
  @ApiOperation({ summary: 'Referrals the caller may see, newest first, without personal data' })
  list(@CurrentUser() user: AuthUser, @Query() q: ListReferralsQuery) {
    return this.referrals.list(user, q);
  }

  @Get(':id')
  @RequirePermission('referrals:read')
  get(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string) {
    return this.referrals.get(user, id);
  }

  @Patch(':id')
  @RequirePermission('referrals:create')
  @ApiOperation({ summary: 'Edit a draft or returned referral (its author); the whole referral is sent again' })
  update(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string, @Body() dto: UpdateReferralDto, @Headers('if-match') ifMatch?: string) {
    return this.referrals.update(user, id, dto, expectedVersion(ifMatch, dto.version));
  }

  @Post(':id/submit')
  @HttpCode(200)
  @RequirePermission('referrals:create')
  @ApiOperation({ summary: 'Submit: scores, checks eligibility, consent and child welfare notification, finds repeats' })
  submit(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string, @Body() dto: VersionDto, @Headers('if-match') ifMatch?: string) {
    return this.referrals.submit(user, id, expectedVersion(ifMatch, dto.version));
  }

  @Post(':id/accept')
  @HttpCode(200)
  @RequirePermission('referrals:triage')
  @ApiOperation({ summary: 'Accept (coordinator): opens or re-opens the case and places it on a conference' })
  accept(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string, @Body() dto: AcceptReferralDto, @Headers('if-match') ifMatch?: string) {
    return this.referrals.accept(user, id, dto, expectedVersion(ifMatch, dto.version));
  }

  @Post(':id/return')
  @HttpCode(200)
  @RequirePermission('referrals:triage')
  @ApiOperation({ summary: 'Return for more information (coordinator)' })
  returnForInformation(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string, @Body() dto: ReasonDto, @Headers('if-match') ifMatch?: string) {
    return this.referrals.returnOrDecline(user, id, 'return', dto.reason, expectedVersion(ifMatch, dto.version));
  }

  @Post(':id/decline')
  @HttpCode(200)
  @RequirePermission('referrals:triage')
  @ApiOperation({ summary: 'Decline with a reason (coordinator)' })
  decline(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string, @Body() dto: ReasonDto, @Headers('if-match') ifMatch?: string) {
    return this.referrals.returnOrDecline(user, id, 'decline', dto.reason, expectedVersion(ifMatch, dto.version));
  }

  @Post(':id/withdraw')
  @HttpCode(200)
  @RequirePermission('referrals:create')
  @ApiOperation({ summary: 'Withdraw (the author, or the coordinator)' })
  withdraw(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string, @Body() dto: ReasonDto, @Headers('if-match') ifMatch?: string) {
    return this.referrals.withdraw(user, id, dto.reason, expectedVersion(ifMatch, dto.version));
  }
}
