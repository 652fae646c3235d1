import { Global, Module } from '@nestjs/common';
import { AuditService } from './audit.service.js';

/**
 * The audit log's service, for every role (API and workers) and every module: global, so a
 * module writes `constructor(private readonly audit: AuditService)` without importing this.
 */
@Global()
@Module({
  providers: [AuditService],
  exports: [AuditService],
})
export class AuditModule {}
