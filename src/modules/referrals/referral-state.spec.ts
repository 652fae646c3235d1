import fc from 'fast-check';
import { REFERRAL_STATUSES, formatReference, nextReferralState, type ReferralEvent } from './referral-state.js';

const EVENTS: ReferralEvent[] = ['edit', 'submit', 'accept', 'return', 'decline', 'withdraw'];

describe('referral state machine', () => {
  it.each([
    ['draft', 'submit', 'submitted'],
    ['returned', 'submit', 'submitted'],
    ['submitted', 'accept', 'accepted'],
    ['submitted', 'return', 'returned'],
    ['submitted', 'decline', 'declined'],
    ['draft', 'withdraw', 'withdrawn'],
    ['submitted', 'withdraw', 'withdrawn'],
    ['returned', 'withdraw', 'withdrawn'],
    ['draft', 'edit', 'draft'],
    ['returned', 'edit', 'returned'],
  ] as const)('%s --%s--> %s', (from, event, to) => {
    expect(nextReferralState(from, event)).toEqual({ ok: true, to });
  });

  it('refuses every other transition and says from where it would be allowed', () => {
    const allowed = new Set(['draft/submit', 'returned/submit', 'submitted/accept', 'submitted/return', 'submitted/decline', 'draft/withdraw', 'submitted/withdraw', 'returned/withdraw', 'draft/edit', 'returned/edit']);
    for (const from of REFERRAL_STATUSES) {
      for (const event of EVENTS) {
        const r = nextReferralState(from, event);
        expect(r.ok).toBe(allowed.has(`${from}/${event}`));
        if (!r.ok) expect(r.allowedFrom).not.toContain(from);
      }
    }
  });

  it('never leaves a final state (accepted, declined, withdrawn)', () => {
    fc.assert(
      fc.property(fc.constantFrom('accepted', 'declined', 'withdrawn' as const), fc.constantFrom(...EVENTS), (from, event) => !nextReferralState(from, event).ok),
    );
  });

  it('formats references with five digits', () => {
    expect(formatReference(2026, 42)).toBe('MRK-2026-00042');
    expect(formatReference(2027, 123456)).toBe('MRK-2027-123456');
  });
});
