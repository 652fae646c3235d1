/**
 * Error types of the field-crypto library.
 *
 * INVARIANT: no message produced by this library ever contains plaintext,
 * key material, blob bytes, row identifiers or any value supplied for
 * normalisation. Messages may contain only constants, lengths, positions
 * within a configuration list and validated key version numbers. Callers may
 * therefore log `error.message` without scrubbing. No `cause` is attached
 * (errors from node:crypto are swallowed, not chained) so that nothing
 * unexpected can leak through a logger that serialises causes.
 */

/** Base class of every error thrown deliberately by this library. */
export class FieldCryptoError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Invalid key configuration (MARAK_DATA_KEYS, blind-index key). */
export class FieldCryptoConfigError extends FieldCryptoError {}

/**
 * Invalid argument to an encryption or normalisation function (wrong type,
 * malformed field context, ill-formed Unicode, invalid birth date, value
 * that normalises to the empty string). Indicates a programming error or
 * bad input, not a cryptographic failure.
 */
export class FieldCryptoInputError extends FieldCryptoError {}

/** Why decryption failed. Safe to log and to use in metrics. */
export type FieldDecryptFailure =
  | 'not-a-buffer'
  | 'truncated'
  | 'unsupported-format'
  | 'unknown-key-version'
  | 'authentication-failed'
  | 'invalid-utf8';

/**
 * A stored field could not be decrypted: the blob was tampered with or
 * truncated, was written for another table/column/row, uses a format or key
 * version this keyring does not know, or the key is wrong.
 */
export class FieldDecryptError extends FieldCryptoError {
  readonly reason: FieldDecryptFailure;

  constructor(reason: FieldDecryptFailure, message: string) {
    super(message);
    this.reason = reason;
  }
}
