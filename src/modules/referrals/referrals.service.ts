import { randomUUID } from 'node:crypto';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { addWorkingDaysAt, toHelsinkiDate } from '../../../libs/business-calendar/index.js';
import { RiskAnswersError, defaultRiskForms, eligibility, scoreAssessment, type RiskFormDefinition } from '../../../libs/risk-forms/index.js';
import { decodeKeysetCursor, encodeKeysetCursor } from '../../common/pagination.js';
import { Problem } from '../../common/problems/problem.js';
import { groupsWithRole, type AuthUser } from '../../common/request-context.js';
import { Clock } from '../../platform/clock/clock.js';
import { FieldCryptoService } from '../../platform/crypto/field-crypto.service.js';
import { AuditService } from '../audit/audit.service.js';
import { CasesService } from '../cases/cases.service.js';
import { ConferencesService } from '../conferences/conferences.service.js';
import type { GroupSettings } from '../groups/group-settings.js';
import { GroupsService } from '../groups/groups.service.js';
import { UsersService } from '../identity/users.service.js';
import { NotificationsService } from '../notifications/notifications.service.js';
import type { PersonInput, PersonView } from '../people/person.types.js';
import { PeopleService } from '../people/people.service.js';
import { TimerHandlerRegistry } from '../timers/timer-handler.registry.js';
import { TimersService } from '../timers/timers.service.js';
import type { AcceptReferralDto, CreateReferralDto, ListReferralsQuery, UpdateReferralDto } from './dto/referral.dto.js';
import { ReferralPolicy } from './referral.policy.js';
import { REFERENCE_SQL, nextReferralState, type ReferralEvent, type ReferralStatus } from './referral-state.js';
import { LOCK_KEYS } from '../../platform/database/lock-keys.js';
import { rowsOf } from '../../platform/database/rows.js';

export const TRIAGE_OVERDUE = 'referral.triage-overdue';
/** Advisory lock class under which a group's cases are opened (the group id is the second key). */
const CASE_OPENING_LOCK = LOCK_KEYS.caseOpening;
/** The working day's end, Helsinki: a triage deadline falls then. */
const TRIAGE_DUE_TIME = '16:00';

interface Row {
  id: string;
  group_id: string;
  author_id: string;
  author_agency_id: string;
  status: ReferralStatus;
  reference: string | null;
  victim_id: string;
  perpetrator_ids: string[];
  child_ids: string[];
  relationship: string;
  risk_form_code: string;
  risk_form_version: number;
  answers_enc: Buffer;
  score: number | null;
  unknown_count: number | null;
  answered_count: number | null;
  threshold: number | null;
  professional_judgement_enc: Buffer | null;
  incidents_12_months: number | null;
  eligible: boolean | null;
  eligibility_grounds: string[] | null;
  consent_status: 'given' | 'refused' | 'not_asked';
  consent_given_at: string | null;
  consent_method: string | null;
  cwn_status: string | null;
  cwn_made_at: string | null;
  summary_enc: Buffer;
  immediate_safety_enc: Buffer | null;
  case_id: string | null;
  repeat_of_case_id: string | null;
  known_in_other_group: boolean;
  reason_enc: Buffer | null;
  submitted_at: Date | null;
  triaged_at: Date | null;
  version: number;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = `id, group_id, author_id, author_agency_id, status, reference, victim_id, perpetrator_ids, child_ids, relationship,
  risk_form_code, risk_form_version, answers_enc, score, unknown_count, answered_count, threshold, professional_judgement_enc,
  incidents_12_months, eligible, eligibility_grounds, consent_status, to_char(consent_given_at, 'YYYY-MM-DD') AS consent_given_at,
  consent_method, cwn_status, to_char(cwn_made_at, 'YYYY-MM-DD') AS cwn_made_at, summary_enc, immediate_safety_enc, case_id,
  repeat_of_case_id, known_in_other_group, reason_enc, submitted_at, triaged_at, version, created_at, updated_at`;

const REFUSAL_SLUGS: Record<ReferralEvent, string> = {
  edit: 'referral-not-editable',
  submit: 'referral-not-submittable',
  accept: 'referral-not-acceptable',
  return: 'referral-not-returnable',
  decline: 'referral-not-declinable',
  withdraw: 'referral-not-withdrawable',
};

const versionConflict = () => Problem.conflict('version-conflict', 'The referral was changed by someone else; reload and try again.');

/**
 * Referrals: intake, risk assessment, eligibility and triage (DOMAIN.md steps 1–5). Every use
 * case is one transaction with its audit row, timers and notifications.
 */
@Injectable()
export class ReferralsService implements OnModuleInit {
  readonly forms = defaultRiskForms();

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly crypto: FieldCryptoService,
    private readonly audit: AuditService,
    private readonly people: PeopleService,
    private readonly groups: GroupsService,
    private readonly users: UsersService,
    private readonly cases: CasesService,
    private readonly conferences: ConferencesService,
    private readonly timers: TimersService,
    private readonly timerHandlers: TimerHandlerRegistry,
    private readonly notifications: NotificationsService,
  ) {}

  onModuleInit(): void {
    this.cases.provide({ referralSummaries: (manager, caseId) => this.summariesForCase(manager, caseId) });
    this.timerHandlers.register(TRIAGE_OVERDUE, {
      stillStands: async (tx, timer) => (await tx.query(`SELECT 1 FROM referrals WHERE id = $1 AND status = 'submitted'`, [timer.subjectId])).length > 0,
      fire: async (tx, timer) => {
        const [r] = await tx.query(`SELECT id, group_id, reference, submitted_at FROM referrals WHERE id = $1`, [timer.subjectId]);
        const settings = await this.groups.settings(r.group_id, tx);
        for (const chair of await this.users.withRole(r.group_id, 'chair', tx)) {
          await this.notifications.enqueue(tx, {
            kind: TRIAGE_OVERDUE,
            recipient: chair.email,
            locale: settings.locale,
            params: { reference: r.reference, dueDate: toHelsinkiDate(timer.fireAt), path: `/referrals/${r.id}` },
            idempotencyKey: `${TRIAGE_OVERDUE}-${r.id}-${chair.id}-${timer.fireAt.getTime()}`,
            groupId: r.group_id,
          });
        }
        await this.audit.record(tx, { action: 'referral.triage-escalated', objectType: 'referral', objectId: r.id, groupId: r.group_id, actor: null, details: { timerId: timer.id } });
      },
    });
  }

  private ctx(id: string, column: string) {
    return { table: 'referrals', column, rowId: id };
  }

  private form(code: string, version?: number): RiskFormDefinition {
    const form = version ? this.forms.get(code, version) : this.forms.latest(code);
    if (!form) throw Problem.unprocessable('unknown-risk-form', 'Unknown risk form', 'The risk form (or its version) does not exist.', { errors: [{ field: 'riskAssessment.formCode', message: 'unknown form or version' }] });
    return form;
  }

  private score(form: RiskFormDefinition, answers: Record<string, string>) {
    try {
      return scoreAssessment(form, answers);
    } catch (e) {
      if (e instanceof RiskAnswersError) {
        throw new Problem(400, 'validation', 'Bad Request', 'The risk form answers are invalid.', {
          errors: e.errors.map((x) => ({ field: `riskAssessment.${x.field}`, message: x.code })),
        });
      }
      throw e;
    }
  }

  /**
   * The group's settings; 404 unless the group exists and the user's agency is a member (any
   * member agency's worker may refer).
   */
  private async settingsIfMayRefer(tx: EntityManager, user: AuthUser, groupId: string): Promise<GroupSettings> {
    const settings = user.agencyId ? await this.groups.memberSettings(groupId, user.agencyId, tx) : undefined;
    if (!settings) throw Problem.notFound('The group');
    return settings;
  }

  /** The group screens with the form its settings name (`riskFormCode`). */
  private async assertGroupForm(tx: EntityManager, groupId: string, formCode: string): Promise<void> {
    this.assertFormOf(await this.groups.settings(groupId, tx), formCode);
  }

  private assertFormOf(settings: GroupSettings, formCode: string): void {
    if (settings.riskFormCode !== formCode) {
      throw Problem.unprocessable('risk-form-not-used-by-group', 'Another risk form', `This group screens with the form "${settings.riskFormCode}".`, {
        errors: [{ field: 'riskAssessment.formCode', message: `must be ${settings.riskFormCode}` }],
      });
    }
  }

  async create(user: AuthUser, dto: CreateReferralDto): Promise<object> {
    const form = this.form(dto.riskAssessment.formCode, dto.riskAssessment.formVersion);
    const assessment = this.score(form, dto.riskAssessment.answers);
    const id = randomUUID();
    return this.db.transaction(async (tx) => {
      this.assertFormOf(await this.settingsIfMayRefer(tx, user, dto.groupId), form.code);
      const people = await this.createPeople(tx, dto);
      const now = this.clock.now();
      const [row]: Row[] = await tx.query(
        `INSERT INTO referrals (id, group_id, author_id, author_agency_id, status, victim_id, perpetrator_ids, child_ids, relationship,
            risk_form_code, risk_form_version, answers_enc, score, unknown_count, answered_count, threshold, professional_judgement_enc,
            incidents_12_months, consent_status, consent_given_at, consent_method, cwn_status, cwn_made_at, summary_enc, immediate_safety_enc,
            created_at, updated_at)
         VALUES ($1, $2, $3, $4, 'draft', $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $25)
         RETURNING ${COLUMNS}`,
        [
          id, dto.groupId, user.id, user.agencyId, people.victimId, people.perpetratorIds, people.childIds, dto.relationship,
          form.code, form.version, this.crypto.encrypt(JSON.stringify(dto.riskAssessment.answers), this.ctx(id, 'answers')),
          assessment.score, assessment.unknown, assessment.answered, form.threshold,
          dto.grounds.professionalJudgement ? this.crypto.encrypt(dto.grounds.professionalJudgement, this.ctx(id, 'professional_judgement')) : null,
          dto.grounds.incidents12Months ?? null, dto.consent.status, dto.consent.givenAt ?? null, dto.consent.method ?? null,
          dto.childWelfareNotification?.status ?? null, dto.childWelfareNotification?.madeAt ?? null,
          this.crypto.encrypt(dto.summary, this.ctx(id, 'summary')),
          dto.immediateSafetyMeasures ? this.crypto.encrypt(dto.immediateSafetyMeasures, this.ctx(id, 'immediate_safety')) : null,
          now,
        ],
      );
      const subjectIds = [people.victimId, ...people.perpetratorIds, ...people.childIds];
      // The view is made before the audit row: the audit chain's lock is held from that row to
      // the commit, so nothing that can come before it runs under it. The row is the one the
      // INSERT returned, the people the ones just written: nothing is read back.
      const view = await this.view(tx, row, true, user, undefined, people.views);
      await this.audit.record(tx, { action: 'referral.create', objectType: 'referral', objectId: id, groupId: dto.groupId, subjectIds, details: { toState: 'draft' } });
      return view;
    });
  }

  /** The referral's people in one statement: the victim, the perpetrators, the children; their views in that order. */
  private async createPeople(tx: EntityManager, dto: CreateReferralDto) {
    const views = await this.people.createMany(tx, dto.groupId, [
      { role: 'victim', person: dto.victim as PersonInput, field: 'victim' },
      ...dto.perpetrators.map((p, i) => ({ role: 'perpetrator' as const, person: p as PersonInput, field: `perpetrators.${i}` })),
      ...dto.children.map((c, i) => ({ role: 'child' as const, person: c as PersonInput, field: `children.${i}` })),
    ]);
    const ids = views.map((v) => v.id);
    return { victimId: ids[0]!, perpetratorIds: ids.slice(1, 1 + dto.perpetrators.length), childIds: ids.slice(1 + dto.perpetrators.length), views };
  }

  async update(user: AuthUser, id: string, dto: UpdateReferralDto, expected?: number): Promise<object> {
    const form = this.form(dto.riskAssessment.formCode, dto.riskAssessment.formVersion);
    const assessment = this.score(form, dto.riskAssessment.answers);
    return this.db.transaction(async (tx) => {
      const row = await this.lockVisible(tx, user, id);
      if (!ReferralPolicy.canEdit(user, this.subject(row))) throw new Problem(403, 'not-the-author', 'Forbidden', 'Only the referral’s author may edit it.');
      this.transition(row, 'edit');
      this.checkVersion(row, expected ?? dto.version);
      if (dto.groupId !== row.group_id) throw Problem.unprocessable('group-immutable', 'The group cannot change', 'A referral stays in the group it was made for; withdraw it and refer anew.');
      await this.assertGroupForm(tx, row.group_id, form.code);
      // The people of a draft are replaced: old rows are anonymised, not kept half-updated.
      for (const personId of [row.victim_id, ...row.perpetrator_ids, ...row.child_ids]) await this.people.anonymise(tx, personId);
      const people = await this.createPeople(tx, dto);
      await tx.query(
        `UPDATE referrals SET victim_id = $2, perpetrator_ids = $3, child_ids = $4, relationship = $5, risk_form_code = $6, risk_form_version = $7,
            answers_enc = $8, score = $9, unknown_count = $10, answered_count = $11, threshold = $12, professional_judgement_enc = $13,
            incidents_12_months = $14, consent_status = $15, consent_given_at = $16, consent_method = $17, cwn_status = $18, cwn_made_at = $19,
            summary_enc = $20, immediate_safety_enc = $21, version = version + 1, updated_at = $22
          WHERE id = $1`,
        [
          id, people.victimId, people.perpetratorIds, people.childIds, dto.relationship, form.code, form.version,
          this.crypto.encrypt(JSON.stringify(dto.riskAssessment.answers), this.ctx(id, 'answers')), assessment.score, assessment.unknown, assessment.answered, form.threshold,
          dto.grounds.professionalJudgement ? this.crypto.encrypt(dto.grounds.professionalJudgement, this.ctx(id, 'professional_judgement')) : null,
          dto.grounds.incidents12Months ?? null, dto.consent.status, dto.consent.givenAt ?? null, dto.consent.method ?? null,
          dto.childWelfareNotification?.status ?? null, dto.childWelfareNotification?.madeAt ?? null,
          this.crypto.encrypt(dto.summary, this.ctx(id, 'summary')),
          dto.immediateSafetyMeasures ? this.crypto.encrypt(dto.immediateSafetyMeasures, this.ctx(id, 'immediate_safety')) : null,
          this.clock.now(),
        ],
      );
      const view = await this.view(tx, await this.row(tx, id), true, user, undefined, people.views);
      await this.audit.record(tx, { action: 'referral.update', objectType: 'referral', objectId: id, groupId: row.group_id, subjectIds: [people.victimId, ...people.perpetratorIds, ...people.childIds] });
      return view;
    });
  }

  async submit(user: AuthUser, id: string, expected?: number): Promise<object> {
    return this.db.transaction(async (tx) => {
      const row = await this.lockVisible(tx, user, id);
      if (!ReferralPolicy.canEdit(user, this.subject(row))) throw new Problem(403, 'not-the-author', 'Forbidden', 'Only the referral’s author may submit it.');
      this.transition(row, 'submit');
      this.checkVersion(row, expected);
      // The group once (its settings, and its name for the coordinators' mail).
      const group = await this.groups.find(row.group_id, tx);
      if (!group) throw Problem.notFound('The group');
      const settings = group.settings;
      const now = this.clock.now();

      if (settings.requireConsent && row.consent_status !== 'given') {
        throw Problem.unprocessable(
          'consent-required',
          'Consent required',
          'This group hears a case only with the victim’s informed consent. Without it there is no MARAK case; your own legal duties remain: make a child welfare notification where children are concerned, and tell the police what they need to assess a threat to life.',
        );
      }
      if (row.child_ids.length > 0 && !row.cwn_status) {
        throw Problem.unprocessable('child-welfare-notification-required', 'Child welfare notification status required', 'Children are listed: state that a child welfare notification (Child Welfare Act 25 §) has been made or will be made, or why it is not needed.', {
          errors: [{ field: 'childWelfareNotification', message: 'required when children are listed' }],
        });
      }

      // Every person of the referral at once: the victim for the repeat lookup, all of them for
      // the view (submitting changes no one).
      const people = await this.people.readMany(tx, this.subjectIds(row));
      const victim = people[0];
      if (victim?.id !== row.victim_id) throw Problem.notFound('The person');
      const match = { identityCode: victim.identityCode, firstName: victim.firstName ?? '', lastName: victim.lastName, birthDate: victim.birthDate };
      // One blind-index lookup across the deployment: this group's matches are repeat candidates,
      // the others only tell whether the victim is known elsewhere.
      const matches = await this.people.findMatches(tx, match, { role: 'victim', excludeIds: [row.victim_id] });
      const earlier = matches.filter((m) => m.groupId === row.group_id);
      const repeatOf = await this.cases.findRepeatCandidate(tx, row.group_id, earlier.map((m) => m.personId), settings.repeatWindowMonths, now);
      const judgement = row.professional_judgement_enc ? this.crypto.decrypt(row.professional_judgement_enc, this.ctx(id, 'professional_judgement')) : undefined;
      const result = eligibility({
        assessment: { score: row.score ?? 0, threshold: row.threshold ?? 14 },
        professionalJudgement: judgement,
        incidents12Months: row.incidents_12_months ?? undefined,
        escalationThreshold: settings.escalationIncidentThreshold,
        repeat: repeatOf ? { withinWindow: repeatOf.withinWindow } : undefined,
      });
      if (!result.eligible) {
        throw Problem.unprocessable(
          'not-eligible',
          'Not eligible for MARAK',
          'None of the four grounds holds (score, professional judgement, escalation, repeat). This is not a MARAK case: support the victim through other services — victim support, a shelter, a safety plan with your own agency.',
          { checked: result.checked },
        );
      }
      // Known elsewhere = a victim of a submitted or accepted referral of another group (drafts
      // and refused referrals there say nothing); nothing of that group is returned.
      const elsewhere = matches.filter((m) => m.groupId !== row.group_id);
      const knownElsewhere =
        elsewhere.length > 0 &&
        (await tx.query(`SELECT 1 FROM referrals WHERE victim_id = ANY($1::uuid[]) AND status IN ('submitted', 'accepted') LIMIT 1`, [elsewhere.map((m) => m.personId)])).length > 0;
      const version = row.version + 1;
      const due = addWorkingDaysAt(now, settings.triageWithinWorkingDays, TRIAGE_DUE_TIME);
      await this.timers.schedule(tx, { kind: TRIAGE_OVERDUE, subjectType: 'referral', subjectId: id, fireAt: due, dedupeKey: `${TRIAGE_OVERDUE}-${id}-${version}` });
      const coordinators = await this.users.withRole(row.group_id, 'coordinator', tx);
      // The audit row before the reference, an exception to "the audit row last": the reference's
      // counter row stays locked to the commit (numbers without gaps), so every other submission
      // waits for whatever follows its allocation here. After it come only the referral's UPDATE
      // (the same statement) and the coordinators' mail; the audit chain's lock is no bottleneck
      // (AUDIT_CHAINS chains), the counter is. The audit row names the referral by id.
      await this.audit.record(tx, {
        action: 'referral.submit', objectType: 'referral', objectId: id, groupId: row.group_id, subjectIds: this.subjectIds(row),
        details: { fromState: row.status, toState: 'submitted', ...(row.reference ? { caseRef: row.reference } : {}), ...(repeatOf?.withinWindow ? { caseId: repeatOf.caseId } : {}) },
      });
      // The next number of the year, taken only when the referral has none yet (a resubmission
      // keeps its own), and the referral's UPDATE, in one statement: one round trip under the lock.
      const [submitted] = rowsOf<Row>(
        await tx.query(
          `WITH n AS (
             INSERT INTO reference_counters (year, last) SELECT $2, 1 WHERE $3::text IS NULL
             ON CONFLICT (year) DO UPDATE SET last = reference_counters.last + 1 RETURNING year, last)
           UPDATE referrals SET reference = coalesce(referrals.reference, (SELECT ${REFERENCE_SQL} FROM n)),
                  status = 'submitted', eligible = true, eligibility_grounds = $4, repeat_of_case_id = $5,
                  known_in_other_group = $6, submitted_at = $7, reason_enc = NULL, version = $8, updated_at = $7
            WHERE referrals.id = $1 RETURNING ${COLUMNS}`,
          [id, Number(toHelsinkiDate(now).slice(0, 4)), row.reference, result.grounds, repeatOf?.withinWindow ? repeatOf.caseId : null, knownElsewhere, now, version],
        ),
      );
      const reference = submitted!.reference as string;
      for (const coordinator of coordinators) {
        await this.notifications.enqueue(tx, {
          kind: 'referral.submitted',
          recipient: coordinator.email,
          locale: settings.locale,
          params: { reference, group: group.name, path: `/referrals/${id}` },
          idempotencyKey: `referral.submitted-${id}-${coordinator.id}-${version}`,
          groupId: row.group_id,
        });
      }
      // The row as the UPDATE left it; the repeat's reference is known (findRepeatCandidate).
      const repeats = repeatOf?.withinWindow ? new Map([[repeatOf.caseId, { caseId: repeatOf.caseId, reference: repeatOf.reference }]]) : undefined;
      const view = await this.view(tx, submitted!, true, user, repeats, people);
      return view;
    });
  }

  async accept(user: AuthUser, id: string, dto: AcceptReferralDto, expected?: number): Promise<object> {
    return this.db.transaction(async (tx) => {
      const row = await this.lockVisible(tx, user, id);
      if (!ReferralPolicy.canTriage(user, this.subject(row))) throw new Problem(403, 'not-coordinator', 'Forbidden', 'Only the group’s coordinator triages referrals.');
      this.transition(row, 'accept');
      this.checkVersion(row, expected ?? dto.version);
      const now = this.clock.now();
      // Row locks first, audit rows last: the audit chain's lock is held to commit, and a worker
      // firing this referral's triage timer holds the timer row while it waits for that lock.
      await this.timers.cancel(tx, { kind: TRIAGE_OVERDUE, subjectType: 'referral', subjectId: id });
      // Cases of a group open one at a time, and the repeat check is made again under that lock:
      // two referrals of one victim submitted before either was accepted must share one case.
      await tx.query(`SELECT pg_advisory_xact_lock($1, hashtext($2))`, [CASE_OPENING_LOCK, row.group_id]);
      let repeatOfCaseId = row.repeat_of_case_id;
      if (!repeatOfCaseId) {
        const settings = await this.groups.settings(row.group_id, tx);
        const victim = await this.people.read(tx, row.victim_id);
        const earlier = await this.people.findMatches(
          tx,
          { identityCode: victim.identityCode, firstName: victim.firstName ?? '', lastName: victim.lastName, birthDate: victim.birthDate },
          { groupId: row.group_id, role: 'victim', excludeIds: [row.victim_id] },
        );
        const candidate = await this.cases.findRepeatCandidate(tx, row.group_id, earlier.map((m) => m.personId), settings.repeatWindowMonths, now);
        if (candidate?.withinWindow) {
          repeatOfCaseId = candidate.caseId;
          await tx.query(`UPDATE referrals SET repeat_of_case_id = $2 WHERE id = $1`, [id, repeatOfCaseId]);
        }
      }
      const opened = await this.cases.openForReferral(tx, {
        groupId: row.group_id,
        victimId: row.victim_id,
        reference: row.reference!,
        repeatOfCaseId,
        referredAt: row.submitted_at!,
        now,
      });
      await tx.query(`UPDATE referrals SET status = 'accepted', case_id = $2, triaged_at = $3, triaged_by = $4, version = version + 1, updated_at = $3 WHERE id = $1`, [id, opened.caseId, now, user.id]);
      // placeCase records its audit row: after it, no more row locks in this transaction.
      const placement = await this.conferences.placeCase(tx, {
        groupId: row.group_id,
        caseId: opened.caseId,
        kind: opened.isRepeat ? 'repeat' : 'new',
        isRepeat: opened.isRepeat,
        score: row.score,
        conferenceId: dto.conferenceId,
        now,
      });
      await this.notifyAuthor(tx, row, 'referral.accepted', { startsAt: placement.startsAt.toISOString() });
      await this.audit.record(tx, {
        action: opened.isRepeat ? 'case.reopen' : 'case.open', objectType: 'case', objectId: opened.caseId, groupId: row.group_id, subjectIds: [row.victim_id],
        details: { caseRef: opened.reference },
      });
      await this.audit.record(tx, {
        action: 'referral.accept', objectType: 'referral', objectId: id, groupId: row.group_id, subjectIds: this.subjectIds(row),
        details: { fromState: 'submitted', toState: 'accepted', caseId: opened.caseId, caseRef: opened.reference, conferenceId: placement.conferenceId },
      });
      const view = await this.view(tx, await this.row(tx, id), true, user);
      return { ...view, caseId: opened.caseId, placement: { conferenceId: placement.conferenceId, startsAt: placement.startsAt.toISOString(), slotStartsAt: placement.slotStartsAt.toISOString() } };
    });
  }

  async returnOrDecline(user: AuthUser, id: string, event: 'return' | 'decline', reason: string, expected?: number): Promise<object> {
    return this.db.transaction(async (tx) => {
      const row = await this.lockVisible(tx, user, id);
      if (!ReferralPolicy.canTriage(user, this.subject(row))) throw new Problem(403, 'not-coordinator', 'Forbidden', 'Only the group’s coordinator triages referrals.');
      const to = this.transition(row, event);
      this.checkVersion(row, expected);
      const now = this.clock.now();
      await tx.query(`UPDATE referrals SET status = $2, reason_enc = $3, triaged_at = $4, triaged_by = $5, version = version + 1, updated_at = $4 WHERE id = $1`, [
        id, to, this.crypto.encrypt(reason, this.ctx(id, 'reason')), now, user.id,
      ]);
      await this.timers.cancel(tx, { kind: TRIAGE_OVERDUE, subjectType: 'referral', subjectId: id });
      await this.notifyAuthor(tx, row, event === 'return' ? 'referral.returned' : 'referral.declined', {});
      await this.audit.record(tx, { action: `referral.${event}`, objectType: 'referral', objectId: id, groupId: row.group_id, subjectIds: this.subjectIds(row), details: { fromState: row.status, toState: to } });
      return this.view(tx, await this.row(tx, id), true, user);
    });
  }

  async withdraw(user: AuthUser, id: string, reason: string, expected?: number): Promise<object> {
    return this.db.transaction(async (tx) => {
      const row = await this.lockVisible(tx, user, id);
      if (!ReferralPolicy.canWithdraw(user, this.subject(row))) throw new Problem(403, 'forbidden', 'Forbidden', 'Only the author or the group’s coordinator may withdraw a referral.');
      this.transition(row, 'withdraw');
      this.checkVersion(row, expected);
      const now = this.clock.now();
      await tx.query(`UPDATE referrals SET status = 'withdrawn', reason_enc = $2, version = version + 1, updated_at = $3 WHERE id = $1`, [id, this.crypto.encrypt(reason, this.ctx(id, 'reason')), now]);
      await this.timers.cancel(tx, { kind: TRIAGE_OVERDUE, subjectType: 'referral', subjectId: id });
      await this.audit.record(tx, { action: 'referral.withdraw', objectType: 'referral', objectId: id, groupId: row.group_id, subjectIds: this.subjectIds(row), details: { fromState: row.status, toState: 'withdrawn' } });
      return this.view(tx, await this.row(tx, id), true, user);
    });
  }

  async get(user: AuthUser, id: string): Promise<object> {
    return this.db.transaction(async (tx) => {
      const row = await this.row(tx, id);
      if (!row || !ReferralPolicy.canSee(user, this.subject(row))) throw Problem.notFound('The referral');
      const view = await this.view(tx, row, true, user);
      // Fail closed: the read is returned only if its audit row commits.
      await this.audit.record(tx, { action: 'referral.read', objectType: 'referral', objectId: id, groupId: row.group_id, subjectIds: this.subjectIds(row) });
      return view;
    });
  }

  /** Lists carry no personal data (names are read one referral at a time, audited). */
  async list(user: AuthUser, q: ListReferralsQuery): Promise<{ items: object[]; nextCursor: string | null }> {
    const limit = q.limit ?? 50;
    const staffGroups = groupsWithRole(user, 'coordinator', 'chair');
    const after = q.cursor ? decodeKeysetCursor(q.cursor) : undefined;
    const rows: Row[] = await this.db.query(
      `SELECT ${COLUMNS} FROM referrals
        WHERE (author_id = $1 OR (group_id = ANY($2::uuid[]) AND status <> 'draft'))
          AND ($3::uuid IS NULL OR group_id = $3) AND ($4::text IS NULL OR status = $4)
          AND ($5::timestamptz IS NULL OR (created_at, id) < ($5, $6::uuid))
        ORDER BY created_at DESC, id DESC LIMIT $7`,
      [user.id, staffGroups, q.groupId ?? null, q.status ?? null, after?.at ?? null, after?.id ?? null, limit + 1],
    );
    const page = rows.slice(0, limit);
    const repeats = await this.repeatReferences(this.db.manager, page);
    const items = await Promise.all(page.map((r) => this.view(this.db.manager, r, false, user, repeats)));
    const last = page.at(-1);
    return { items, nextCursor: rows.length > limit && last ? encodeKeysetCursor(last.created_at, last.id) : null };
  }

  /** Referral summaries of a case (for GET /cases/:id), no personal data. */
  async summariesForCase(manager: EntityManager, caseId: string): Promise<object[]> {
    const rows: Row[] = await manager.query(`SELECT ${COLUMNS} FROM referrals WHERE case_id = $1 OR repeat_of_case_id = $1 ORDER BY submitted_at`, [caseId]);
    const repeats = await this.repeatReferences(manager, rows);
    return Promise.all(rows.map((r) => this.view(manager, r, false, undefined, repeats)));
  }

  /** The references of the cases a page of referrals repeats, in one query (a list's views then need none). */
  private async repeatReferences(manager: EntityManager, rows: Row[]): Promise<Map<string, { caseId: string; reference: string }>> {
    const ids = [...new Set(rows.map((r) => r.repeat_of_case_id).filter((id): id is string => id !== null))];
    return new Map((await this.cases.referencesOf(manager, ids)).map((c) => [c.caseId, c]));
  }

  private async notifyAuthor(tx: EntityManager, row: Row, kind: string, extra: Record<string, string>): Promise<void> {
    const [author] = await tx.query(`SELECT id, email, active FROM users WHERE id = $1`, [row.author_id]);
    if (!author?.active || !row.reference) return;
    const settings = await this.groups.settings(row.group_id, tx);
    await this.notifications.enqueue(tx, {
      kind,
      recipient: author.email,
      locale: settings.locale,
      params: { reference: row.reference, path: `/referrals/${row.id}`, ...extra },
      idempotencyKey: `${kind}-${row.id}-${row.version}`,
      groupId: row.group_id,
    });
  }

  private transition(row: Row, event: ReferralEvent): ReferralStatus {
    const t = nextReferralState(row.status, event);
    if (!t.ok) {
      throw Problem.conflict(REFUSAL_SLUGS[event], `The referral is ${row.status}; this is possible only when it is ${t.allowedFrom.join(' or ')}.`, {
        status: row.status,
        allowedFrom: t.allowedFrom,
      });
    }
    return t.to;
  }

  private checkVersion(row: Row, expected?: number): void {
    if (expected !== undefined && expected !== row.version) throw versionConflict();
  }

  private subject(row: Row) {
    return { groupId: row.group_id, authorId: row.author_id, status: row.status };
  }

  private subjectIds(row: Row): string[] {
    return [row.victim_id, ...row.perpetrator_ids, ...row.child_ids];
  }

  private async row(manager: EntityManager | DataSource, id: string, lock = false): Promise<Row> {
    return (await manager.query(`SELECT ${COLUMNS} FROM referrals WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id]))[0];
  }

  /** The row locked for a change, or 404 when it does not exist or the user may not see it. */
  private async lockVisible(tx: EntityManager, user: AuthUser, id: string): Promise<Row> {
    const row = await this.row(tx, id, true);
    if (!row || !ReferralPolicy.canSee(user, this.subject(row))) throw Problem.notFound('The referral');
    return row;
  }

  private async view(
    manager: EntityManager | DataSource,
    r: Row,
    withPersonalData: boolean,
    user?: AuthUser,
    repeats?: Map<string, { caseId: string; reference: string }>,
    /** The referral's people in `subjectIds` order when the caller has them already. */
    people?: PersonView[],
  ): Promise<object> {
    const base = {
      ...(user && ReferralPolicy.canSeeCrossGroupFlag(user, this.subject(r)) ? { knownInOtherGroup: r.known_in_other_group } : {}),
      id: r.id,
      groupId: r.group_id,
      status: r.status,
      reference: r.reference,
      authorId: r.author_id,
      authorAgencyId: r.author_agency_id,
      relationship: r.relationship,
      assessment: { formCode: r.risk_form_code, formVersion: r.risk_form_version, score: r.score, threshold: r.threshold, answered: r.answered_count, unknown: r.unknown_count },
      eligibility: r.eligible === null ? null : { eligible: r.eligible, grounds: r.eligibility_grounds ?? [] },
      repeatOf: r.repeat_of_case_id ? (repeats?.get(r.repeat_of_case_id) ?? (await this.cases.referenceOf(manager, r.repeat_of_case_id))) : null,
      consent: { status: r.consent_status, givenAt: r.consent_given_at ?? undefined, method: r.consent_method ?? undefined },
      childWelfareNotification: r.cwn_status ? { status: r.cwn_status, madeAt: r.cwn_made_at ?? undefined } : null,
      caseId: r.case_id,
      submittedAt: r.submitted_at?.toISOString() ?? null,
      triagedAt: r.triaged_at?.toISOString() ?? null,
      createdAt: r.created_at.toISOString(),
      updatedAt: r.updated_at.toISOString(),
      version: r.version,
    };
    if (!withPersonalData) return base;
    const strip = (p: PersonView) => {
      const { groupId: _g, role: _r, statGender: _s, statAgeBand: _a, version: _v, createdAt: _c, updatedAt: _u, anonymisedAt: _x, ...rest } = p;
      return rest;
    };
    const [victim, ...others] = people ?? (await this.people.readMany(manager, this.subjectIds(r)));
    const perpetrators = others.slice(0, r.perpetrator_ids.length).map(strip);
    const children = others.slice(r.perpetrator_ids.length).map(strip);
    return {
      ...base,
      victim: strip(victim),
      perpetrators,
      children,
      riskAssessment: { formCode: r.risk_form_code, formVersion: r.risk_form_version, answers: JSON.parse(this.crypto.decrypt(r.answers_enc, this.ctx(r.id, 'answers'))) },
      grounds: {
        professionalJudgement: r.professional_judgement_enc ? this.crypto.decrypt(r.professional_judgement_enc, this.ctx(r.id, 'professional_judgement')) : undefined,
        incidents12Months: r.incidents_12_months ?? undefined,
      },
      summary: this.crypto.decrypt(r.summary_enc, this.ctx(r.id, 'summary')),
      immediateSafetyMeasures: r.immediate_safety_enc ? this.crypto.decrypt(r.immediate_safety_enc, this.ctx(r.id, 'immediate_safety')) : undefined,
      reason: r.reason_enc ? this.crypto.decrypt(r.reason_enc, this.ctx(r.id, 'reason')) : undefined,
    };
  }
}
