import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { addCalendarDays, helsinkiDateTime } from '../../../libs/business-calendar/index.js';
import { PERMISSIONS } from '../../common/auth/permissions.js';
import { Problem } from '../../common/problems/problem.js';
import { RequestValidationError } from '../../common/problems/validation.js';
import type { AuthUser } from '../../common/request-context.js';
import { AuditService } from '../audit/audit.service.js';
import { GroupPolicy } from '../groups/group.policy.js';
import { loadRawStatistics } from './statistics-query.js';
import { csvRows, publishDeployment, publishGroup, toCsv, type PublishedStatistics } from './statistics-report.js';

/** Longest period one request may ask for (a five-year trend is the longest anyone reports). */
export const MAX_PERIOD_DAYS = 5 * 366;
/** The last date libs/business-calendar knows (a period must end before it: its end is the next midnight). */
const LAST_CALENDAR_DATE = '9999-12-31';

export interface Period {
  from: string;
  to: string;
}

export type GroupStatistics = { groupId: string; period: Period } & PublishedStatistics;
export type DeploymentStatistics = { period: Period; groups: Array<{ groupId: string; name: string } & PublishedStatistics>; total: PublishedStatistics };

/**
 * Statistics and data returns (DOMAIN.md "Numbers worth knowing"): aggregates only, cells under
 * 5 suppressed (./suppression.ts). Nobody reading them sees personal data, so analysts may; the
 * read is audited with the group and period and no subject ids (no person's data is read).
 *
 * Who: a group's report for its coordinators, chairs and analysts; the deployment-wide report
 * (every group and the total) for anyone holding the analyst role in some group: analysts
 * report regionally and nationally, and the figures are anonymous.
 */
@Injectable()
export class StatisticsService {
  constructor(@InjectDataSource() private readonly db: DataSource, private readonly audit: AuditService) {}

  async forGroup(user: AuthUser, groupId: string, period: Period, format: 'json' | 'csv'): Promise<GroupStatistics | string> {
    const range = this.range(period);
    const mayRead = GroupPolicy.hasRoleIn(user, groupId, ...PERMISSIONS['statistics:read']);
    const [group] = mayRead ? await this.db.query(`SELECT id FROM groups WHERE id = $1`, [groupId]) : [];
    if (!group) throw Problem.notFound('The group');
    const { byGroup } = await loadRawStatistics(this.db, [groupId], range.from, range.to);
    const published = publishGroup(byGroup.get(groupId)!);
    await this.recordRead(groupId, period, format);
    if (format === 'csv') return toCsv(csvRows('group', groupId, published));
    return { groupId, period, ...published };
  }

  /** Anyone holding the analyst role in some group (the route's `statistics:read-deployment`). */
  async forDeployment(period: Period, format: 'json' | 'csv'): Promise<DeploymentStatistics | string> {
    const range = this.range(period);
    const groups: Array<{ id: string; name: string }> = await this.db.query(`SELECT id, name FROM groups ORDER BY name, id`);
    const { byGroup, total } = await loadRawStatistics(this.db, groups.map((g) => g.id), range.from, range.to);
    const published = publishDeployment(groups.map((g) => byGroup.get(g.id)!), total);
    await this.recordRead(null, period, format);
    if (format === 'csv') {
      return toCsv([...groups.flatMap((g, i) => csvRows('group', g.id, published.groups[i]!)), ...csvRows('total', '', published.total)]);
    }
    return { period, groups: groups.map((g, i) => ({ groupId: g.id, name: g.name, ...published.groups[i]! })), total: published.total };
  }

  /**
   * The instants of a period of Helsinki dates: 400 when it runs backwards, is too long, or ends
   * on the last day of the calendar (its end is the midnight after `to`, which does not exist).
   */
  private range(period: Period): { from: Date; to: Date } {
    if (period.to < period.from) throw new RequestValidationError([{ field: 'to', message: 'to must not be before from' }]);
    const days = (Date.parse(period.to) - Date.parse(period.from)) / 86_400_000 + 1;
    if (days > MAX_PERIOD_DAYS) throw new RequestValidationError([{ field: 'to', message: `the period may be at most ${MAX_PERIOD_DAYS} days` }]);
    if (period.to >= LAST_CALENDAR_DATE) throw new RequestValidationError([{ field: 'to', message: `to must be before ${LAST_CALENDAR_DATE}` }]);
    return { from: helsinkiDateTime(period.from, '00:00'), to: helsinkiDateTime(addCalendarDays(period.to, 1), '00:00') };
  }

  private async recordRead(groupId: string | null, period: Period, format: string): Promise<void> {
    await this.audit.recordRead({
      action: 'statistics.read',
      objectType: 'statistics',
      objectId: groupId ?? 'deployment',
      groupId,
      details: { periodFrom: period.from, periodTo: period.to, format },
    });
  }
}

