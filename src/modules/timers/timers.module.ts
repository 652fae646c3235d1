import { Module } from '@nestjs/common';
import { TimerEngine } from './timer-engine.js';
import { TimerHandlerRegistry } from './timer-handler.registry.js';
import { TimersService } from './timers.service.js';

/**
 * Timers: every time-based obligation is a row; BullMQ wakes the worker; the reconciler makes
 * Redis expendable. Other modules use `TimersService` (schedule, cancel, reschedule) and
 * register the handler of each kind they own with `TimerHandlerRegistry`. `TimerEngine` is
 * exported for the worker's `TimersProcessor` (listed in app.module.ts PROCESSORS).
 */
@Module({
  providers: [TimerHandlerRegistry, TimerEngine, TimersService],
  exports: [TimersService, TimerHandlerRegistry, TimerEngine],
})
export class TimersModule {}
