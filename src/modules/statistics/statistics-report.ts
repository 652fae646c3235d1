/**
 * Raw counts of a period → the published statistics (suppressed) and their CSV. No I/O. The
 * categories are fixed lists (the owning modules' own: agency kinds, eligibility grounds,
 * statistics genders and age bands), so every report has the same keys and the CSV the same
 * rows in the same order, whatever the data.
 */
import { ELIGIBILITY_GROUNDS } from '../../../libs/risk-forms/index.js';
import { AGENCY_KINDS } from '../identity/dto/agency.dto.js';
import { AGE_BANDS, STAT_GENDERS } from '../people/person.types.js';
import { SuppressedTable, type PublishedCell } from './suppression.js';

/** Where a submitted referral stands: the four add up to the referrals of the period. */
export const REFERRAL_OUTCOMES = ['accepted', 'declined', 'pending', 'withdrawn'] as const;
/** What became of an action agreed in the period: the three add up to the actions agreed. */
export const ACTION_RESULTS = ['completedOnTime', 'completedLate', 'notCompleted'] as const;

export interface AgencyActions {
  agencyId: string;
  name: string;
  kind: string;
  completedOnTime: number;
  completedLate: number;
  notCompleted: number;
}

/** One group's (or the total's) counts for the period, before suppression. */
export interface RawStatistics {
  referrals: number;
  byAgencyKind: Record<string, number>;
  byGround: Record<string, number>;
  outcomes: Record<string, number>;
  newCases: number;
  repeatCases: number;
  victims: number;
  byGender: Record<string, number>;
  byAgeBand: Record<string, number>;
  childrenInHouseholds: number;
  referralsWithChildren: number;
  actions: AgencyActions[];
  heard: number;
  medianWorkingDaysToHearing: number | null;
}

export function emptyRaw(): RawStatistics {
  return {
    referrals: 0, byAgencyKind: {}, byGround: {}, outcomes: {}, newCases: 0, repeatCases: 0, victims: 0, byGender: {}, byAgeBand: {},
    childrenInHouseholds: 0, referralsWithChildren: 0, actions: [], heard: 0, medianWorkingDaysToHearing: null,
  };
}

/**
 * The median of values given with their counts, as PostgreSQL's `percentile_cont(0.5)`: the
 * middle value, or the mean of the two middle values of an even count; null for none.
 */
export function weightedMedian(values: ReadonlyArray<{ days: number; n: number }>): number | null {
  const sorted = values.filter((v) => v.n > 0).sort((a, b) => a.days - b.days);
  const count = sorted.reduce((n, v) => n + v.n, 0);
  if (count === 0) return null;
  const at = (position: number): number => {
    let seen = 0;
    for (const v of sorted) {
      seen += v.n;
      if (position < seen) return v.days;
    }
    throw new RangeError('position beyond the values');
  };
  return (at(Math.floor((count - 1) / 2)) + at(Math.ceil((count - 1) / 2))) / 2;
}

export interface PublishedStatistics {
  referrals: {
    total: PublishedCell;
    byAgencyKind: Record<string, PublishedCell>;
    /** A referral may hold several grounds: these do not add up to the total. */
    byEligibilityGround: Record<string, PublishedCell>;
    accepted: PublishedCell;
    declined: PublishedCell;
    pending: PublishedCell;
    withdrawn: PublishedCell;
  };
  cases: { new: PublishedCell; repeat: PublishedCell; repeatRatePercent: number | null };
  victims: { total: PublishedCell; byGender: Record<string, PublishedCell>; byAgeBand: Record<string, PublishedCell> };
  children: { inHouseholds: PublishedCell; referralsWithChildren: PublishedCell };
  actions: {
    agreed: PublishedCell;
    completedOnTime: PublishedCell;
    completedLate: PublishedCell;
    notCompleted: PublishedCell;
    onTimeRatePercent: number | null;
    byAgency: Array<{ agencyId: string; name: string; kind: string; agreed: PublishedCell; completedOnTime: PublishedCell; completedLate: PublishedCell; notCompleted: PublishedCell; onTimeRatePercent: number | null }>;
  };
  referralToHearing: { heard: PublishedCell; medianWorkingDays: number | null };
}

const sumOf = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const agencyTotal = (a: AgencyActions) => a.completedOnTime + a.completedLate + a.notCompleted;

/**
 * Adds one block's cells and sums under `prefix` (`g0.` for a group, `total.`). `cost` is the
 * block's preference as a partner (the total row is cheaper than a group's figures).
 */
function addBlock(t: SuppressedTable, prefix: string, raw: RawStatistics, cost: number): void {
  const c = (key: string, value: number) => t.cell(prefix + key, value, cost);
  const referrals = c('referrals', raw.referrals);
  t.sum(referrals, AGENCY_KINDS.map((k) => c(`kind.${k}`, raw.byAgencyKind[k] ?? 0)));
  for (const g of ELIGIBILITY_GROUNDS) c(`ground.${g}`, raw.byGround[g] ?? 0);
  t.sum(referrals, REFERRAL_OUTCOMES.map((o) => c(`outcome.${o}`, raw.outcomes[o] ?? 0)));
  t.sum(prefix + 'outcome.accepted', [c('cases.new', raw.newCases), c('cases.repeat', raw.repeatCases)]);
  const victims = c('victims', raw.victims);
  t.sum(victims, STAT_GENDERS.map((g) => c(`gender.${g}`, raw.byGender[g] ?? 0)));
  t.sum(victims, AGE_BANDS.map((b) => c(`age.${b}`, raw.byAgeBand[b] ?? 0)));
  c('children.inHouseholds', raw.childrenInHouseholds);
  c('children.referrals', raw.referralsWithChildren);
  c('heard', raw.heard);
  // Actions: agencies × results, with row and column totals.
  for (const a of raw.actions) {
    t.sum(c(`actions.${a.agencyId}.agreed`, agencyTotal(a)), ACTION_RESULTS.map((r) => c(`actions.${a.agencyId}.${r}`, a[r])));
  }
  const agreed = c('actions.agreed', sumOf(raw.actions.map(agencyTotal)));
  t.sum(agreed, ACTION_RESULTS.map((r) => c(`actions.${r}`, sumOf(raw.actions.map((a) => a[r])))));
  t.sum(agreed, raw.actions.map((a) => `${prefix}actions.${a.agencyId}.agreed`));
  for (const r of ACTION_RESULTS) t.sum(`${prefix}actions.${r}`, raw.actions.map((a) => `${prefix}actions.${a.agencyId}.${r}`));
}

function rate(part: PublishedCell, other: PublishedCell): number | null {
  if (typeof part !== 'number' || typeof other !== 'number' || part + other === 0) return null;
  return Math.round((1000 * part) / (part + other)) / 10;
}

function readBlock(t: SuppressedTable, prefix: string, raw: RawStatistics): PublishedStatistics {
  const g = (key: string) => t.get(prefix + key);
  const record = <K extends string>(keys: readonly K[], f: (k: K) => PublishedCell) => Object.fromEntries(keys.map((k) => [k, f(k)])) as Record<K, PublishedCell>;
  const heard = g('heard');
  return {
    referrals: {
      total: g('referrals'),
      byAgencyKind: record(AGENCY_KINDS, (k) => g(`kind.${k}`)),
      byEligibilityGround: record(ELIGIBILITY_GROUNDS, (k) => g(`ground.${k}`)),
      accepted: g('outcome.accepted'),
      declined: g('outcome.declined'),
      pending: g('outcome.pending'),
      withdrawn: g('outcome.withdrawn'),
    },
    cases: { new: g('cases.new'), repeat: g('cases.repeat'), repeatRatePercent: rate(g('cases.repeat'), g('cases.new')) },
    victims: { total: g('victims'), byGender: record(STAT_GENDERS, (k) => g(`gender.${k}`)), byAgeBand: record(AGE_BANDS, (k) => g(`age.${k}`)) },
    children: { inHouseholds: g('children.inHouseholds'), referralsWithChildren: g('children.referrals') },
    actions: {
      agreed: g('actions.agreed'),
      completedOnTime: g('actions.completedOnTime'),
      completedLate: g('actions.completedLate'),
      notCompleted: g('actions.notCompleted'),
      onTimeRatePercent: rate(g('actions.completedOnTime'), g('actions.completedLate')),
      byAgency: raw.actions.map((a) => ({
        agencyId: a.agencyId,
        name: a.name,
        kind: a.kind,
        agreed: g(`actions.${a.agencyId}.agreed`),
        completedOnTime: g(`actions.${a.agencyId}.completedOnTime`),
        completedLate: g(`actions.${a.agencyId}.completedLate`),
        notCompleted: g(`actions.${a.agencyId}.notCompleted`),
        onTimeRatePercent: rate(g(`actions.${a.agencyId}.completedOnTime`), g(`actions.${a.agencyId}.completedLate`)),
      })),
    },
    // A median of fewer than 5 hearings is close to describing one case: shown only with its count.
    referralToHearing: { heard, medianWorkingDays: typeof heard === 'number' && heard > 0 ? raw.medianWorkingDaysToHearing : null },
  };
}

/** One group's statistics, suppressed on their own. */
export function publishGroup(raw: RawStatistics): PublishedStatistics {
  const t = new SuppressedTable();
  addBlock(t, '', raw, 0);
  return readBlock(t, '', raw);
}

/**
 * Groups and their total, suppressed together: every total cell is the sum of the groups'
 * cells, so a group's small cell must not be recoverable from the total minus the others.
 * Each group's block starts with the cells its own report (`publishGroup`) hides, so the two
 * publications never show what the other hides for that reason; partners are taken from the
 * total row before another group's figures.
 */
export function publishDeployment(groups: RawStatistics[], total: RawStatistics): { groups: PublishedStatistics[]; total: PublishedStatistics } {
  const t = new SuppressedTable();
  const keysOf = groups.map((raw) => new Set(blockKeys(raw)));
  groups.forEach((raw, i) => {
    addBlock(t, `g${i}.`, raw, 1);
    const alone = new SuppressedTable();
    addBlock(alone, '', raw, 0);
    for (const key of keysOf[i]!) if (!alone.shown(key)) t.keepHidden(`g${i}.${key}`);
  });
  addBlock(t, 'total.', total, 0);
  for (const key of blockKeys(total)) {
    const parts = groups.flatMap((_, i) => (keysOf[i]!.has(key) ? [`g${i}.${key}`] : []));
    if (parts.length > 0) t.sum(`total.${key}`, parts);
  }
  return { groups: groups.map((raw, i) => readBlock(t, `g${i}.`, raw)), total: readBlock(t, 'total.', total) };
}

function blockKeys(raw: RawStatistics): string[] {
  return [
    'referrals', ...AGENCY_KINDS.map((k) => `kind.${k}`), ...ELIGIBILITY_GROUNDS.map((k) => `ground.${k}`), ...REFERRAL_OUTCOMES.map((k) => `outcome.${k}`),
    'cases.new', 'cases.repeat', 'victims', ...STAT_GENDERS.map((k) => `gender.${k}`), ...AGE_BANDS.map((k) => `age.${k}`),
    'children.inHouseholds', 'children.referrals', 'heard',
    ...raw.actions.flatMap((a) => ['agreed', ...ACTION_RESULTS].map((r) => `actions.${a.agencyId}.${r}`)),
    'actions.agreed', ...ACTION_RESULTS.map((r) => `actions.${r}`),
  ];
}

export const CSV_HEADER = ['scope', 'group_id', 'measure', 'category', 'value'] as const;

/** CSV rows of one block, in a fixed order (measures, then categories in their list order). */
export function csvRows(scope: string, groupId: string, s: PublishedStatistics): string[][] {
  const rows: (string | number | null)[][] = [];
  const add = (measure: string, category: string, value: PublishedCell | number | null) => rows.push([scope, groupId, measure, category, value]);
  add('referrals', 'total', s.referrals.total);
  for (const [k, v] of Object.entries(s.referrals.byAgencyKind)) add('referrals.by_agency_kind', k, v);
  for (const [k, v] of Object.entries(s.referrals.byEligibilityGround)) add('referrals.by_eligibility_ground', k, v);
  for (const k of REFERRAL_OUTCOMES) add('referrals.outcome', k, s.referrals[k]);
  add('cases', 'new', s.cases.new);
  add('cases', 'repeat', s.cases.repeat);
  add('cases', 'repeat_rate_percent', s.cases.repeatRatePercent);
  add('victims', 'total', s.victims.total);
  for (const [k, v] of Object.entries(s.victims.byGender)) add('victims.by_gender', k, v);
  for (const [k, v] of Object.entries(s.victims.byAgeBand)) add('victims.by_age_band', k, v);
  add('children', 'in_households', s.children.inHouseholds);
  add('children', 'referrals_with_children', s.children.referralsWithChildren);
  add('actions', 'agreed', s.actions.agreed);
  add('actions', 'completed_on_time', s.actions.completedOnTime);
  add('actions', 'completed_late', s.actions.completedLate);
  add('actions', 'not_completed', s.actions.notCompleted);
  add('actions', 'on_time_rate_percent', s.actions.onTimeRatePercent);
  for (const a of [...s.actions.byAgency].sort((x, y) => x.agencyId.localeCompare(y.agencyId))) {
    add(`actions.agency.${a.agencyId}`, 'agreed', a.agreed);
    add(`actions.agency.${a.agencyId}`, 'completed_on_time', a.completedOnTime);
    add(`actions.agency.${a.agencyId}`, 'completed_late', a.completedLate);
    add(`actions.agency.${a.agencyId}`, 'not_completed', a.notCompleted);
    add(`actions.agency.${a.agencyId}`, 'on_time_rate_percent', a.onTimeRatePercent);
  }
  add('referral_to_hearing', 'heard', s.referralToHearing.heard);
  add('referral_to_hearing', 'median_working_days', s.referralToHearing.medianWorkingDays);
  return rows.map((r) => r.map((v) => (v === null ? '' : String(v))));
}

/** RFC 4180: CRLF line ends, fields quoted only when they need it. */
export function toCsv(rows: string[][]): string {
  const field = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  return [CSV_HEADER as readonly string[], ...rows].map((r) => r.map(field).join(',')).join('\r\n') + '\r\n';
}
