import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { StatisticsController } from './statistics.controller.js';
import { StatisticsService } from './statistics.service.js';

/** Statistics and data returns: aggregates of the workflow's tables, suppressed; no personal data. */
@Module({
  imports: [AuditModule],
  controllers: [StatisticsController],
  providers: [StatisticsService],
  exports: [StatisticsService],
})
export class StatisticsModule {}
