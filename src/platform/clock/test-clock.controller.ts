import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsISO8601, IsOptional, IsString, ValidateIf } from 'class-validator';
import { RequirePermission } from '../../common/auth/permissions.js';
import { Problem } from '../../common/problems/problem.js';
import { Clock, TestClock } from './clock.js';
import { parseIsoDuration } from './duration.js';

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
    if (dto.now !== undefined) {
      const at = new Date(dto.now);
      if (at.getTime() < clock.now().getTime() - 1000) {
        throw Problem.unprocessable('clock-moves-forward', 'The clock only moves forward', 'Time cannot be moved backwards: timers that fired would not un-fire.');
      }
      clock.set(at);
    }
    if (dto.advance !== undefined) {
      const ms = parseIsoDuration(dto.advance);
      if (ms === undefined) {
        throw new Problem(400, 'validation', 'Bad Request', 'advance must be an ISO 8601 duration in weeks, days, hours, minutes or seconds, such as P14D or PT2H.', {
          errors: [{ field: 'advance', message: 'must be an ISO 8601 duration such as P14D' }],
        });
      }
      clock.advance(ms);
    }
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
