import { Controller, Get, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheckService, HealthIndicatorService, TypeOrmHealthIndicator, type HealthCheckResult } from '@nestjs/terminus';
import type { Response } from 'express';
import { Public } from '../../common/auth/public.decorator.js';
import { MailerService } from '../../platform/mail/mailer.service.js';
import { RedisHealth } from './redis.health.js';

@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly redis: RedisHealth,
    private readonly mailer: MailerService,
    private readonly indicators: HealthIndicatorService,
  ) {}

  @Get()
  @Public()
  @ApiOperation({ summary: 'Readiness: database, Redis and SMTP (no authentication)' })
  async check(@Res({ passthrough: true }) res: Response): Promise<HealthCheckResult> {
    try {
      return await this.health.check([
        () => this.db.pingCheck('database').withTimeout(2000),
        () => this.redis.check('redis'),
        () => this.indicators.check('smtp').attempt(() => this.mailer.verify()).withTimeout(5000),
      ]);
    } catch (e) {
      // Terminus throws a 503 carrying the same shape; keep the shape for probes and monitors.
      const body = (e as { getResponse?: () => HealthCheckResult }).getResponse?.();
      if (!body) throw e;
      res.status(503);
      return body;
    }
  }
}
