import * as api from './index.js';

describe('public API', () => {
  it('exports the documented functions, classes and constants', () => {
    for (const name of [
      'parseDataKeys',
      'generateDataKey',
      'encryptField',
      'decryptField',
      'keyVersionOf',
      'needsReencryption',
      'reencryptField',
      'blindIndex',
      'parseBlindIndexKey',
      'normaliseText',
      'normaliseIdentityCode',
      'nameAndBirthDateKey',
      'Keyring',
      'FieldCryptoError',
      'FieldCryptoConfigError',
      'FieldCryptoInputError',
      'FieldDecryptError',
    ] as const) {
      expect(typeof api[name]).toBe('function');
    }
    expect(api.BLIND_INDEX_KINDS).toEqual(['identity-code', 'name-birth-date', 'text']);
  });

  it('does not export internals that reach key material', () => {
    expect(Object.keys(api)).not.toContain('masterKeyFor');
    expect(Object.keys(api)).not.toContain('requireKeyring');
  });

  it('error classes share a base and carry their own names', () => {
    const e = new api.FieldDecryptError('truncated', 'x');
    expect(e).toBeInstanceOf(api.FieldCryptoError);
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('FieldDecryptError');
    expect(new api.FieldCryptoConfigError('x').name).toBe('FieldCryptoConfigError');
  });
});
