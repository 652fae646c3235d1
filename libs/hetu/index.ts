export {
  HETU_CENTURY_SIGNS,
  HETU_CHECK_CHARS,
  HETU_MAX_INDIVIDUAL_NUMBER,
  HETU_MAX_YEAR,
  HETU_MIN_INDIVIDUAL_NUMBER,
  HETU_MIN_TEMPORARY_INDIVIDUAL_NUMBER,
  HETU_MIN_YEAR,
  hetuChecksumChar,
  isValidHetu,
  makeHetu,
  makeTemporaryHetu,
  parseHetu,
} from './hetu.js';
export type {
  HetuCenturySign,
  HetuErrorReason,
  HetuResult,
  HetuSex,
  MakeHetuInput,
  ParsedHetu,
} from './hetu.js';
