import { Injectable } from '@nestjs/common';
import type { TimerHandler } from './timer.js';

/** Timer kind → its one handler. Owning modules register in `onModuleInit`. */
@Injectable()
export class TimerHandlerRegistry {
  private readonly handlers = new Map<string, TimerHandler>();

  register(kind: string, handler: TimerHandler): void {
    if (this.handlers.has(kind)) throw new Error(`Timer kind ${kind} already has a handler`);
    this.handlers.set(kind, handler);
  }

  get(kind: string): TimerHandler | undefined {
    return this.handlers.get(kind);
  }

  has(kind: string): boolean {
    return this.handlers.has(kind);
  }

  kinds(): string[] {
    return [...this.handlers.keys()].sort();
  }
}
