import * as fc from 'fast-check';
import { makeTemporaryHetu } from '../../libs/hetu/index.js';
import { answers } from '../harness/referrals.js';

/*
 * Request arbitraries derived from the OpenAPI document: valid-ish values from each schema
 * (enums, formats, examples, ids that exist), then mutated (wrong types, missing and extra
 * fields, huge strings, unicode, nulls, deep nesting, numbers at the edges, invalid dates).
 * Ids are drawn as an index into a pool that is resolved when the request is sent, so the
 * pools can grow with what the fuzzer itself creates.
 */

export type Schema = {
  $ref?: string;
  type?: string;
  format?: string;
  enum?: unknown[];
  example?: unknown;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  minLength?: number;
  maxLength?: number;
  maxItems?: number;
  minimum?: number;
  maximum?: number;
  nullable?: boolean;
};

export type OpenApi = {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
};

export type Parameter = { in: 'path' | 'query' | 'header'; name: string; required?: boolean; schema?: Schema };

export type Operation = {
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
  responses?: Record<string, unknown>;
  security?: unknown[];
};

/** The pools of ids: which one a field or a path parameter draws from. */
export type PoolName = 'groups' | 'agencies' | 'users' | 'cases' | 'conferences' | 'agendaItems' | 'referrals' | 'actions' | 'people' | 'any';

/** A value to be resolved at send time: an id from a pool, or a literal. */
export type Ref = { $pool: PoolName; index: number };

export const isRef = (v: unknown): v is Ref => typeof v === 'object' && v !== null && '$pool' in v && Object.keys(v).length === 2;

const poolRef = (pool: PoolName) => fc.nat({ max: 1000 }).map((index): Ref => ({ $pool: pool, index }));

export function poolForName(name: string, path = ''): PoolName | undefined {
  switch (name) {
    case 'groupId':
      return 'groups';
    case 'agencyId':
      return 'agencies';
    case 'caseId':
      return 'cases';
    case 'conferenceId':
      return 'conferences';
    case 'itemId':
    case 'itemIds':
      return 'agendaItems';
    case 'actorId':
    case 'userId':
      return 'users';
    case 'objectId':
      return 'any';
    case 'id': {
      const first = path.split('/')[3];
      const byPrefix: Record<string, PoolName> = {
        cases: 'cases',
        groups: 'groups',
        conferences: 'conferences',
        referrals: 'referrals',
        actions: 'actions',
        agencies: 'agencies',
        users: 'users',
        people: 'people',
      };
      return byPrefix[first] ?? 'any';
    }
    default:
      return undefined;
  }
}

// ---- strings of every kind ------------------------------------------------------------------

const unicodeNasties = fc.constantFrom(
  '\u0000',
  '\u202e\u202d',
  '\ud800',
  '\udfff',
  '💣🔥👩‍👩‍👧‍👦',
  'Ⅻ\u0301\u0301\u0301',
  'ÅÄÖåäö',
  '\r\n\t',
  '%00%2e%2e%2f',
  "'; DROP TABLE cases; --",
  '<script>alert(1)</script>',
  '{{constructor.constructor}}',
  '${jndi:ldap://x}',
  '../../../../etc/passwd',
  '\\u0000',
  'NaN',
  'Infinity',
  '-0',
  'null',
  'true',
  '[]',
  '{}',
  '1e400',
);

const long = (lengths: number[], unit: 'grapheme-ascii' | 'grapheme' = 'grapheme') =>
  fc.tuple(fc.string({ unit, minLength: 1, maxLength: 8 }), fc.constantFrom(...lengths)).map(([s, n]) => s.repeat(Math.ceil(n / s.length)).slice(0, n));

/** A string for a URL or a header: short ASCII, unicode or nasty, sometimes long (not beyond what a request line takes). */
export const shortString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 30 }) },
  { weight: 3, arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  { weight: 2, arbitrary: unicodeNasties },
  { weight: 1, arbitrary: long([301, 1500], 'grapheme-ascii') },
);

/** A string for a body: as shortString, and sometimes huge (built from a seed string). */
export const anyString: fc.Arbitrary<string> = fc.oneof({ weight: 12, arbitrary: shortString }, { weight: 1, arbitrary: long([2001, 8001, 70_000, 900_000]) });

const badDates = fc.constantFrom(
  '2027-02-30',
  '2027-13-01',
  '0000-00-00',
  '2027-00-10',
  '99999-01-01',
  '+275760-09-13',
  '-000001-01-01',
  '2027-03-01T25:61:00Z',
  '2027-03-01T10:00:00+99:00',
  '2027-W10-1',
  '2027-060',
  '1900-01-01',
  '9999-12-31',
  '9999-12-31T23:59:59.999Z',
  '1970-01-01T00:00:00Z',
  '2027-3-1',
  '01.03.2027',
  'tomorrow',
  '',
);

const edgeNumbers = fc.constantFrom(0, -1, 1, -0, 0.5, 2 ** 31, -(2 ** 31) - 1, 2 ** 53 + 2, Number.MAX_SAFE_INTEGER, -Number.MAX_VALUE, Number.MAX_VALUE, 1e-300, 250, 251, 200, 201, 1000, 1001);

// ---- valid-ish values from the schema ---------------------------------------------------------

const isoDate = (from: number, to: number) =>
  fc.integer({ min: from, max: to }).map((days) => new Date(Date.UTC(2027, 2, 1) + days * 86_400_000).toISOString().slice(0, 10));
const isoInstant = fc.integer({ min: -60, max: 400 * 24 }).map((h) => new Date(Date.UTC(2027, 2, 1, 8) + h * 3_600_000).toISOString());

const hetu = fc.tuple(isoDate(-365 * 50, -365 * 18), fc.nat({ max: 99 })).map(([d, n]) => makeTemporaryHetu(d, n));

const email = fc.stringMatching(/^[a-z0-9]{1,12}$/).map((s) => `fuzz-${s}@agency.test`);

/** Field-name hints for values the schema does not describe well enough to pass validation. */
function hinted(name: string, path: string): fc.Arbitrary<unknown> | undefined {
  const pool = poolForName(name, path);
  if (pool) return name === 'itemIds' ? fc.array(poolRef(pool), { maxLength: 4 }) : poolRef(pool);
  switch (name) {
    case 'email':
      return email;
    case 'password':
      return fc.constantFrom('Kolme-sinistä-kissaa-juoksee', 'Neljä-vihreää-koiraa-hyppii-9', 'short');
    case 'identityCode':
      return hetu;
    case 'birthDate':
      return isoDate(-365 * 60, -365 * 2);
    case 'givenAt':
    case 'madeAt':
      return isoDate(-30, 0);
    case 'dueDate':
    case 'from':
    case 'to':
      return isoDate(-60, 300);
    case 'startsAt':
    case 'endsAt':
      return isoInstant;
    case 'now':
      return fc.integer({ min: -5, max: 10 }).map((m) => ({ $clockPlusMinutes: m }));
    case 'advance':
      return fc.constantFrom('PT1S', 'PT30S', 'PT5M', 'P', 'PT', 'P1Y', 'PT-5M', 'P99999999D');
    case 'answers':
      return fc.integer({ min: 0, max: 24 }).map((n) => answers(n));
    case 'phone':
      return fc.stringMatching(/^\+358 4[0-9] [0-9]{3} [0-9]{4}$/);
    case 'cadence':
      return fc.constantFrom('FREQ=MONTHLY;BYDAY=TU;BYSETPOS=2', 'FREQ=WEEKLY;BYDAY=MO', 'FREQ=SECONDLY', 'FREQ=DAILY;COUNT=0');
    case 'meetingStartTime':
      return fc.constantFrom('09:00', '13:30', '24:00', '9:00');
    case 'formCode':
    case 'riskFormCode':
      return fc.constantFrom('marak', 'nope');
    case 'version':
      return fc.integer({ min: 1, max: 6 });
    case 'formVersion':
      return fc.constantFrom(1, 2);
    case 'code':
      return fc.stringMatching(/^[0-9]{6}$/);
    case 'refreshToken':
    case 'mfaToken':
      return fc.nat({ max: 1000 }).map((index) => ({ $token: name, index }));
    default:
      return undefined;
  }
}

export function resolveSchema(doc: OpenApi, s: Schema | undefined): Schema {
  let cur = s ?? {};
  for (let i = 0; cur.$ref && i < 10; i++) cur = doc.components.schemas[cur.$ref.replace('#/components/schemas/', '')] ?? {};
  return cur;
}

/** A value that fits the schema (as far as the schema tells). */
export function validish(doc: OpenApi, schema: Schema | undefined, name: string, path: string, depth = 0): fc.Arbitrary<unknown> {
  const hint = hinted(name, path);
  if (hint) return hint;
  const s = resolveSchema(doc, schema);
  if (s.enum?.length) return fc.constantFrom(...s.enum);
  const type = s.type ?? (s.properties ? 'object' : undefined);
  switch (type) {
    case 'object': {
      if (!s.properties || depth > 5) return fc.constant({});
      const required = new Set(s.required ?? []);
      const model: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [k, v] of Object.entries(s.properties)) model[k] = validish(doc, v, k, path, depth + 1);
      return fc.record(model, { requiredKeys: Object.keys(model).filter((k) => required.has(k)) });
    }
    case 'array':
      return fc.array(validish(doc, s.items, name, path, depth + 1), { maxLength: Math.min(s.maxItems ?? 3, 3) });
    case 'number':
    case 'integer': {
      const min = s.minimum ?? 0;
      const max = s.maximum ?? Math.max(min + 30, 30);
      return fc.integer({ min, max });
    }
    case 'boolean':
      return fc.boolean();
    case 'string': {
      if (s.format === 'uuid') return poolRef('any');
      if (s.format === 'date') return isoDate(-400, 400);
      if (s.format === 'date-time') return isoInstant;
      const min = Math.max(s.minLength ?? 1, 1);
      const max = Math.max(min, Math.min(s.maxLength ?? 40, 60));
      const text = fc.string({ unit: 'grapheme', minLength: min, maxLength: max });
      return s.example !== undefined ? fc.oneof(fc.constant(s.example), text) : text;
    }
    default:
      return anyString;
  }
}

// ---- mutations --------------------------------------------------------------------------------

export type Mutation =
  | { kind: 'replace'; at: number; value: unknown }
  | { kind: 'delete'; at: number }
  | { kind: 'extra'; at: number; key: string; value: unknown }
  | { kind: 'deep'; at: number; depth: number; array: boolean };

/** Stands for a deeply nested value: written into the JSON text when it is sent (a nested object that deep would overflow the test's own stack). */
export type Deep = { $deep: number; array: boolean };

// At most 6 digits: a later mutation may have put any number into a marker (then it stays a plain object).
const DEEP_MARK = /\{"\$deep":(\d{1,6}),"array":(true|false)\}/g;

/** JSON text of the value, the Deep markers expanded to nested objects or arrays. */
export function toJson(value: unknown): string {
  return JSON.stringify(value).replace(DEEP_MARK, (_all, d: string, array: string) =>
    array === 'true' ? `${'['.repeat(Number(d))}"bottom"${']'.repeat(Number(d))}` : `${'{"a":'.repeat(Number(d))}"bottom"${'}'.repeat(Number(d))}`,
  );
}

/** A string with its lone surrogates replaced, so that it can be percent-encoded. */
export const wellFormed = (s: string) => s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');

const wrongValue: fc.Arbitrary<unknown> = fc.oneof(
  anyString,
  edgeNumbers,
  badDates,
  fc.constant(null),
  fc.boolean(),
  fc.constant([]),
  fc.constant({}),
  fc.array(anyString, { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 6 }), anyString, { maxKeys: 3 }),
  fc.uuid(),
  fc.constant({ $pool: 'any', index: 0 }),
);

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), value: wrongValue }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('extra' as const),
      at: fc.nat(),
      key: fc.oneof(fc.string({ minLength: 1, maxLength: 12 }), fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'id', 'status', 'version', 'createdBy', 'groupId')),
      value: wrongValue,
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('deep' as const), at: fc.nat(), depth: fc.constantFrom(50, 500, 5000, 100_000), array: fc.boolean() }) },
);

type Slot = { parent: Record<string, unknown> | unknown[] | null; key: string | number };

function slots(value: unknown, parent: Slot['parent'] = null, key: string | number = '', out: Slot[] = []): Slot[] {
  out.push({ parent, key });
  if (isRef(value)) return out;
  if (Array.isArray(value)) value.forEach((v, i) => slots(v, value, i, out));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) slots(v, value as Record<string, unknown>, k, out);
  return out;
}

/** Applies the mutations to a deep copy of the value (the root itself may be replaced). */
export function mutate(value: unknown, mutations: Mutation[]): unknown {
  const box = { root: structuredClone(value) as unknown };
  for (const m of mutations) {
    const all = slots(box.root, null, 'root');
    const slot = all[m.at % all.length];
    const get = () => (slot.parent === null ? box.root : (slot.parent as Record<string | number, unknown>)[slot.key]);
    const set = (v: unknown) => {
      if (slot.parent === null) box.root = v;
      else (slot.parent as Record<string | number, unknown>)[slot.key] = v;
    };
    switch (m.kind) {
      case 'replace':
        set(structuredClone(m.value));
        break;
      case 'delete':
        if (slot.parent === null) box.root = undefined;
        else if (Array.isArray(slot.parent)) slot.parent.splice(slot.key as number, 1);
        else delete (slot.parent as Record<string, unknown>)[slot.key as string];
        break;
      case 'extra': {
        const target = get();
        if (target && typeof target === 'object' && !Array.isArray(target) && !isRef(target)) {
          Object.defineProperty(target, m.key, { value: structuredClone(m.value), enumerable: true, configurable: true, writable: true });
        } else set({ [m.key]: m.value });
        break;
      }
      case 'deep':
        set({ $deep: m.depth, array: m.array } satisfies Deep);
        break;
    }
  }
  return box.root;
}

// ---- the request ------------------------------------------------------------------------------

export const CALLERS = ['anonymous', 'garbage-token', 'admin', 'coordinator', 'chair', 'rep', 'referrer', 'analyst'] as const;
export type CallerName = (typeof CALLERS)[number];

/** Whom a well-formed request of the operation is most likely meant for (src/common/auth/permissions.ts), first match wins. */
const LIKELY_CALLER: Array<[RegExp, CallerName]> = [
  [/^(post|get) \/api\/v1\/test\/clock|\/audit|\/people\/|\/users|^(post|patch) \/api\/v1\/agencies|^post \/api\/v1\/groups$|^(put|delete) .*\/agencies\/\{agencyId\}/, 'admin'],
  [/^get \/api\/v1\/statistics/, 'analyst'],
  [/^(post|patch) \/api\/v1\/referrals(\/\{id\}(\/(submit|withdraw))?)?$/, 'referrer'],
  [/\/conferences\/\{id\}\/(attendance|start|conclude|agenda\/\{itemId\}\/(outcome|defer))/, 'chair'],
  [/\/actions\/\{id\}\/(acknowledge|complete|decline|not-possible)/, 'rep'],
];

export function likelyCaller(method: string, path: string): CallerName {
  return LIKELY_CALLER.find(([re]) => re.test(`${method} ${path}`))?.[1] ?? 'coordinator';
}

export type IdChoice =
  | { kind: 'pool'; ref: Ref }
  | { kind: 'literal'; value: string; raw?: boolean };

export const idChoice = (pool: PoolName): fc.Arbitrary<IdChoice> =>
  fc.oneof(
    { weight: 6, arbitrary: poolRef(pool).map((ref): IdChoice => ({ kind: 'pool', ref })) },
    { weight: 1, arbitrary: fc.uuid().map((value): IdChoice => ({ kind: 'literal', value })) },
    { weight: 1, arbitrary: fc.uuid({ version: 4 }).map((value): IdChoice => ({ kind: 'literal', value: value.toUpperCase() })) },
    { weight: 2, arbitrary: shortString.filter((s) => s.length > 0).map((value): IdChoice => ({ kind: 'literal', value })) },
    {
      weight: 2,
      arbitrary: fc
        .constantFrom('%2F', '..%2F..%2Fhealth', '%2e%2e', '%00', '%E0%A4%A', '%', 'a%2Fb', '00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff', '1', '-1', '9'.repeat(400), 'x'.repeat(5000), '%uD800', "1'or'1'='1")
        .map((value): IdChoice => ({ kind: 'literal', value, raw: true })),
    },
  );

export type HeaderSet = Record<string, string>;

/** Headers beyond Authorization: content negotiation, idempotency, preconditions and junk. */
export const headers = (op: Operation, method: string): fc.Arbitrary<HeaderSet> => {
  const declared = new Set((op.parameters ?? []).filter((p) => p.in === 'header').map((p) => p.name.toLowerCase()));
  const visible = fc.stringMatching(/^[\x21-\x7e]{1,40}$/);
  return fc
    .record(
      {
        accept: fc.constantFrom('application/json', '*/*', 'application/pdf', 'text/csv', 'text/html', 'application/xml', '', 'garbage/*;q=x', 'application/problem+json'),
        'idempotency-key': fc.oneof(visible, fc.constantFrom('fuzz-fixed-key-1', 'fuzz-fixed-key-2'), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 10 }), fc.constant('k'.repeat(300))),
        'if-match': fc.oneof(
          fc.integer({ min: 0, max: 8 }).map((n) => `"${n}"`),
          fc.integer({ min: 0, max: 8 }).map((n) => `W/"${n}"`),
          fc.constantFrom('*', '"-1"', '"1.5"', '"99999999999999999999999"', '', '"abc"', '1', '"1", "2"', '""'),
          visible,
        ),
        'accept-language': fc.constantFrom('fi', 'sv', 'en', 'xx', '*', 'fi-FI,fi;q=0.9,en;q=0.8', ';;;;', 'q=2'),
        'x-request-id': fc.oneof(visible, fc.constant('r'.repeat(2000))),
        'x-purpose': fc.oneof(fc.constantFrom('case-work', 'statistics'), visible),
        // Past Node's 16 KiB limit of the request head only now and then (431).
        'x-fuzz-huge': fc.oneof({ weight: 15, arbitrary: fc.integer({ min: 100, max: 7000 }) }, { weight: 1, arbitrary: fc.constant(20_000) }).map((n) => 'h'.repeat(n)),
      },
      { requiredKeys: [] },
    )
    .map((h) => {
      // Declared headers more often; Idempotency-Key only matters on POST.
      if (method !== 'post' && !declared.has('idempotency-key')) delete h['idempotency-key'];
      return h as HeaderSet;
    });
};

export type BodyMode = 'json' | 'none' | 'text-plain' | 'form' | 'raw-broken-json' | 'json-wrong-charset' | 'json-array' | 'json-scalar';

export const bodyMode: fc.Arbitrary<BodyMode> = fc.oneof(
  { weight: 12, arbitrary: fc.constant('json' as const) },
  { weight: 1, arbitrary: fc.constantFrom<BodyMode>('none', 'text-plain', 'form', 'raw-broken-json', 'json-wrong-charset', 'json-array', 'json-scalar') },
);

export type QueryValue = { value: unknown; mutated: boolean };
