import { Writable } from 'node:stream';
import { pino } from 'pino';
import { pinoOptions } from './logger.js';

function capture(): { logger: pino.Logger; lines: () => Record<string, unknown>[] } {
  const out: string[] = [];
  const stream = new Writable({ write: (chunk, _enc, cb) => (out.push(String(chunk)), cb()) });
  return { logger: pino(pinoOptions('info'), stream), lines: () => out.map((l) => JSON.parse(l)) };
}

describe('log redaction', () => {
  it('redacts personal-data fields at any depth, keeping ids', () => {
    const { logger, lines } = capture();
    logger.info({
      caseId: 'c-1',
      firstName: 'Liisa',
      body: { victim: { identityCode: '010190-998X' }, children: [{ firstName: 'Pekka' }], reason: 'moved to Oulu' },
      ctx: { req: { headers: { authorization: 'Bearer abc' } } },
    });
    const text = JSON.stringify(lines()[0]);
    expect(text).toContain('c-1');
    for (const secret of ['Liisa', '010190-998X', 'Pekka', 'Oulu', 'Bearer abc']) expect(text).not.toContain(secret);
  });

  it('writes one JSON object per line with a level label and time', () => {
    const { logger, lines } = capture();
    logger.warn({ requestId: 'r-1' }, 'something');
    expect(lines()[0]).toMatchObject({ level: 'warn', requestId: 'r-1', msg: 'something', service: 'marak' });
    expect(typeof lines()[0].time).toBe('string');
  });
});
