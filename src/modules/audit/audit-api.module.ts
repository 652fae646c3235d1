import { Module } from '@nestjs/common';
import { AccessLogController } from './access-log.controller.js';
import { AuditController } from './audit.controller.js';
import { AuditModule } from './audit.module.js';

/** The audit log's HTTP routes (API role only). */
@Module({
  imports: [AuditModule],
  controllers: [AuditController, AccessLogController],
})
export class AuditApiModule {}
