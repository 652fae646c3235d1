/**
 * Every timer kind of the product. A module that schedules a kind adds a line here and registers
 * its handler (`TimerHandlerRegistry.register`) in its `onModuleInit`; the worker refuses to
 * start unless every catalogued kind has exactly one handler, no handler is uncatalogued, and
 * every kind found in pending rows has a handler. Kinds are named after what happens:
 * `action.due-reminder`, `action.overdue.coordinator`, `referral.triage-overdue`.
 */
export const TIMER_KINDS: readonly string[] = [
  'referral.triage-overdue',
  'conference.victim-views-reminder',
  'conference.reminder',
  // src/modules/actions/action-ladder.ts
  'action.acknowledge-reminder',
  'action.acknowledge-escalation',
  'action.due-reminder',
  'action.overdue.agency',
  'action.overdue.coordinator',
  'action.overdue.chair',
  'action.digest',
];

/** Kinds that exist only with MARAK_TEST_CLOCK=true (src/modules/timers/testing). */
export const TEST_TIMER_KINDS: readonly string[] = ['test.probe'];

export function expectedTimerKinds(testClock: boolean): string[] {
  return [...TIMER_KINDS, ...(testClock ? TEST_TIMER_KINDS : [])];
}

export class TimerCatalogError extends Error {
  override name = 'TimerCatalogError';
}

/** Throws unless every expected kind has a handler, every handler is expected, and pending rows have handlers. */
export function assertTimerCatalog(registered: readonly string[], expected: readonly string[], pendingKinds: readonly string[] = []): void {
  const problems: string[] = [];
  for (const kind of expected) if (!registered.includes(kind)) problems.push(`timer kind ${kind} has no handler`);
  for (const kind of registered) if (!expected.includes(kind)) problems.push(`timer kind ${kind} has a handler but is not in TIMER_KINDS`);
  for (const kind of pendingKinds) {
    if (!registered.includes(kind)) problems.push(`pending timers of kind ${kind} exist but the kind has no handler`);
  }
  if (problems.length) throw new TimerCatalogError(`The worker refuses to start:\n  - ${problems.join('\n  - ')}`);
}
