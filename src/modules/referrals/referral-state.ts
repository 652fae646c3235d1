/**
 * The referral lifecycle of API.md as a pure state machine:
 *
 *   draft ──submit──▶ submitted ──accept──▶ accepted
 *     ▲                 │  │ └──decline──▶ declined
 *     └──(edit)── returned ◀─return─┘
 *   draft | submitted | returned ──withdraw──▶ withdrawn
 *
 * Who may fire an event is the policy's business; this says only what the state allows.
 */
export const REFERRAL_STATUSES = ['draft', 'submitted', 'returned', 'accepted', 'declined', 'withdrawn'] as const;
export type ReferralStatus = (typeof REFERRAL_STATUSES)[number];
export type ReferralEvent = 'edit' | 'submit' | 'accept' | 'return' | 'decline' | 'withdraw';

const TRANSITIONS: Record<ReferralEvent, Partial<Record<ReferralStatus, ReferralStatus>>> = {
  edit: { draft: 'draft', returned: 'returned' },
  submit: { draft: 'submitted', returned: 'submitted' },
  accept: { submitted: 'accepted' },
  return: { submitted: 'returned' },
  decline: { submitted: 'declined' },
  withdraw: { draft: 'withdrawn', submitted: 'withdrawn', returned: 'withdrawn' },
};

export type Transition = { ok: true; to: ReferralStatus } | { ok: false; allowedFrom: ReferralStatus[] };

export function nextReferralState(from: ReferralStatus, event: ReferralEvent): Transition {
  const to = TRANSITIONS[event][from];
  return to ? { ok: true, to } : { ok: false, allowedFrom: Object.keys(TRANSITIONS[event]) as ReferralStatus[] };
}

/** `MRK-2026-00042`: the year of submission (Helsinki) and a number without gaps within it. */
export function formatReference(year: number, n: number): string {
  return `MRK-${year}-${String(n).padStart(5, '0')}`;
}

/** formatReference(n.year, n.last) in SQL, for a reference counter row `n` (at least 5 digits, never cut). */
export const REFERENCE_SQL = `'MRK-' || n.year || '-' || lpad(n.last::text, greatest(5, length(n.last::text)), '0')`;
