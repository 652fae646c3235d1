import { parseIsoDuration } from './duration.js';

describe('parseIsoDuration', () => {
  it.each([
    ['P14D', 14 * 86_400_000],
    ['PT2H30M', 9_000_000],
    ['P1W', 7 * 86_400_000],
    ['P1DT1S', 86_401_000],
    ['PT0.5S', 500],
  ])('reads %s', (text, ms) => expect(parseIsoDuration(text)).toBe(ms));

  it.each(['P', 'PT', 'P1M', 'P1Y', '14D', 'P-1D', '', 'P1DT'])('refuses %p', (text) => expect(parseIsoDuration(text)).toBeUndefined());
});
