import { LOCK_KEYS } from './lock-keys.js';

describe('advisory lock keys', () => {
  it('gives every mechanism a key of its own', () => {
    const keys = Object.values(LOCK_KEYS);
    expect(new Set(keys).size).toBe(keys.length);
  });
});
