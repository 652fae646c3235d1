import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsISO8601, IsOptional, IsString, ValidateIf } from 'class-validator';
import { RequirePermission } from '../../common/auth/permissions.js';
import { Problem } from '../../common/problems/problem.js';
import { Clock, TestClock } from './clock.js';
import { parseIsoDuration } from './duration.js';

/** The furthest the test clock goes: instants the application computes from it must stay valid dates. */
export const LAST_TEST_INSTANT = Date.parse('9999-12-31T23:59:59.999Z');

export class MoveClockDto {
  @ApiPropertyOptional({ description: 'Set "now" to this instant (ISO 8601)', example: '2026-12-01T07:00:00.000Z' })
  @IsOptional()
  @IsISO8601({ strict: true })
  now?: string;

  @ApiPropertyOptional({ description: 'Move forward by an ISO 8601 duration (weeks, days, hours, minutes, seconds)', example: 'P14D' })
  @IsOptional()
  @ValidateIf((o: MoveClockDto) => o.advance !== undefined)
  @IsString()
  advance?: string;
}

export class ClockDto {
  @ApiProperty() now: string;
}

/** Exists only when MARAK_TEST_CLOCK=true (never in production; the process refuses that). */
@ApiTags('test')
@Controller('test/clock')
export class TestClockController {
  constructor(private readonly clock: Clock) {}

  @Post()
  @HttpCode(200)
  @RequirePermission('test-clock:use')
  @ApiOperation({ summary: 'Move the test clock and run everything that is due (test clock only)' })
  async move(@Body() dto: MoveClockDto): Promise<ClockDto> {
    const clock = this.clock as TestClock;
    // Where the clock would go, checked whole before it moves: a refused move leaves it where it was.
    let target = clock.now().getTime();
    if (dto.now !== undefined) {
      const at = new Date(dto.now).getTime();
      // IsISO8601 also takes week and ordinal dates (2027-W10-1), which Date cannot read.
      if (Number.isNaN(at)) throw invalidMove('now', 'must be a date and time such as 2027-03-01T08:00:00Z');
      if (at < target - 1000) {
        throw Problem.unprocessable('clock-moves-forward', 'The clock only moves forward', 'Time cannot be moved backwards: timers that fired would not un-fire.');
      }
      target = at;
    }
    if (dto.advance !== undefined) {
      const ms = parseIsoDuration(dto.advance);
      if (ms === undefined) {
        throw invalidMove('advance', 'must be an ISO 8601 duration such as P14D', 'advance must be an ISO 8601 duration in weeks, days, hours, minutes or seconds, such as P14D or PT2H.');
      }
      target += ms;
    }
    // Past year 275760 a Date is invalid, and so would be every "now" after it; past year 9999 the
    // instants the application computes ahead (token expiry, deadlines, retention) soon are too.
    if (Number.isNaN(target) || target > LAST_TEST_INSTANT) throw invalidMove(dto.advance !== undefined ? 'advance' : 'now', 'moves the clock beyond the year 9999');
    clock.set(new Date(target));
    await clock.runHooks();
    return { now: clock.now().toISOString() };
  }

  @Get()
  @RequirePermission('test-clock:use')
  @ApiOperation({ summary: 'Read the test clock' })
  read(): ClockDto {
    return { now: this.clock.now().toISOString() };
  }
}

function invalidMove(field: string, message: string, detail = 'The request is invalid.'): Problem {
  return new Problem(400, 'validation', 'Bad Request', detail, { errors: [{ field, message }] });
}
