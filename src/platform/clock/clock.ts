/**
 * The only source of "now". Production uses the system clock; tests and demos (with
 * MARAK_TEST_CLOCK=true, never in production) use a clock that can be set and moved.
 */
export abstract class Clock {
  abstract now(): Date;
}

export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }
}

export type ClockMovedHook = (now: Date) => Promise<void> | void;

/**
 * A settable clock. Until it is first set it follows the system clock; once set it stands
 * still at the given instant and only moves when told to, so tests are deterministic.
 * Modules that must react when time jumps (the timer reconciler) register a hook.
 */
export class TestClock extends Clock {
  private fixed?: number;
  private readonly hooks: ClockMovedHook[] = [];

  now(): Date {
    return new Date(this.fixed ?? Date.now());
  }

  set(instant: Date): void {
    if (Number.isNaN(instant.getTime())) throw new RangeError('Invalid instant');
    this.fixed = instant.getTime();
  }

  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError('The clock only moves forward');
    this.fixed = (this.fixed ?? Date.now()) + ms;
  }

  onMoved(hook: ClockMovedHook): void {
    this.hooks.push(hook);
  }

  async runHooks(): Promise<void> {
    const now = this.now();
    for (const hook of this.hooks) await hook(now);
  }
}
