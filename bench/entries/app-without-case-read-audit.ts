import 'reflect-metadata';
import type { EntityManager } from 'typeorm';
import { launch } from '../../src/launcher.js';
import type { AuditEntry } from '../../src/modules/audit/audit-entry.js';
import { AuditService, type AuditRecord } from '../../src/modules/audit/audit.service.js';

/**
 * Bench only (the baseline of case-read.bench.ts): the same application as `dist/src/main.js`,
 * with the audit write of `GET /cases/:id` (action `case.read`) replaced by nothing. Every other
 * audit row is written as usual. Never a production entry: the app has no switch for this.
 */
const record = AuditService.prototype.record;
AuditService.prototype.record = async function (this: AuditService, manager: EntityManager, entry: AuditEntry): Promise<AuditRecord> {
  if (entry.action === 'case.read') return { id: '', seq: '0', hash: Buffer.alloc(0) };
  return record.call(this, manager, entry);
};
await launch();
