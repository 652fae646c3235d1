import { Injectable } from '@nestjs/common';
import type { CaseEraser } from './case-erasure.js';

/**
 * The registry of erasers: each module that keeps personal data about a case registers one for
 * its own tables (in its `onModuleInit`, importing RetentionModule), so retention never needs to
 * know another module's columns. A module added later (agenda outcomes with their encrypted risk
 * summary) registers its eraser the same way and is run for every case anonymised from then on.
 * An anonymised case takes no new data (it is closed, and its people can no longer be matched),
 * so earlier cases have no rows in a table added later.
 */
@Injectable()
export class RetentionErasers {
  private readonly erasers = new Map<string, CaseEraser>();

  register(name: string, eraser: CaseEraser): void {
    if (!/^[a-z][a-z0-9_-]*$/.test(name)) throw new Error(`eraser name ${name} must be a code such as agenda_outcomes`);
    if (this.erasers.has(name)) throw new Error(`an eraser named ${name} is already registered`);
    this.erasers.set(name, eraser);
  }

  /** In registration order. */
  list(): Array<[string, CaseEraser]> {
    return [...this.erasers];
  }
}
