/**
 * Every personal field of a person, the `bytea` column holding its ciphertext, and how its value
 * becomes the UTF-8 string that is encrypted. Pure: no Nest, no I/O.
 *
 * AES-GCM does not hide length, so enumerated values are encrypted as one-character codes
 * (gender `f|m|o|u`, flags `1|0`): every blob of such a column has the same length and the
 * ciphertext says nothing about the value.
 */
import type { Gender, PersonInput } from './person.types.js';

export const PEOPLE_TABLE = 'people';

export type EncryptedKey = Exclude<keyof PersonInput, 'livesWithVictim'>;

export interface FieldCodec {
  key: EncryptedKey;
  column: string;
  encode(value: unknown): string;
  decode(text: string): unknown;
}

const GENDER_CODE: Record<Gender, string> = { female: 'f', male: 'm', other: 'o', unknown: 'u' };
const GENDER_BY_CODE = new Map<string, Gender>(Object.entries(GENDER_CODE).map(([g, c]) => [c, g as Gender]));

const text = (key: EncryptedKey, column: string): FieldCodec => ({ key, column, encode: (v) => v as string, decode: (s) => s });

export const ENCRYPTED_FIELDS: readonly FieldCodec[] = [
  text('firstName', 'first_name_enc'),
  text('lastName', 'last_name_enc'),
  text('birthDate', 'birth_date_enc'),
  text('identityCode', 'identity_code_enc'),
  {
    key: 'gender',
    column: 'gender_enc',
    encode: (v) => GENDER_CODE[v as Gender],
    decode: (s) => {
      const gender = GENDER_BY_CODE.get(s);
      if (!gender) throw new Error('people.gender_enc holds an unknown gender code');
      return gender;
    },
  },
  text('language', 'language_enc'),
  { key: 'interpreterNeeded', column: 'interpreter_needed_enc', encode: (v) => (v ? '1' : '0'), decode: (s) => s === '1' },
  text('address', 'address_enc'),
  text('phone', 'phone_enc'),
  text('safeContactNote', 'safe_contact_note_enc'),
  {
    key: 'specialCircumstances',
    column: 'special_circumstances_enc',
    encode: (v) => JSON.stringify(v),
    decode: (s) => {
      const list: unknown = JSON.parse(s);
      if (!Array.isArray(list) || !list.every((x) => typeof x === 'string')) throw new Error('people.special_circumstances_enc is not a list of strings');
      return list;
    },
  },
];

export const ENCRYPTED_COLUMNS = ENCRYPTED_FIELDS.map((f) => f.column);
export const BLIND_INDEX_COLUMNS = ['identity_code_bidx', 'name_birth_bidx'] as const;
