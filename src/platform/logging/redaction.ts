import { pino } from 'pino';

/**
 * Field names that may carry personal data or secrets. Logs redact them wherever they appear,
 * so a careless `logger.info({ body })` or `logger.info({ dto })` still leaks nothing.
 */
export const REDACTED_FIELDS = [
  'firstName', 'lastName', 'name', 'fullName', 'birthDate', 'identityCode', 'hetu', 'ssn',
  'address', 'phone', 'email', 'safeContactNote', 'specialCircumstances', 'summary',
  'immediateSafetyMeasures', 'professionalJudgement', 'views', 'wishes', 'riskSummary',
  'reason', 'note', 'outcome', 'description', 'victim', 'perpetrators', 'children',
  'password', 'newPassword', 'secret', 'code', 'mfaToken', 'accessToken', 'refreshToken',
  'token', 'authorization', 'cookie', 'set-cookie', 'to', 'recipient', 'subject', 'text', 'html',
] as const;

export const CENSOR = '[redacted]';
/** What stands for a value nested deeper than {@link MAX_DEPTH}: not walked, so not written. */
export const TOO_DEEP = '[redacted: nested too deep]';
export const MAX_DEPTH = 8;

const FIELDS: ReadonlySet<string> = new Set(REDACTED_FIELDS);
/** The same names in lower case: `Authorization`, `Set-Cookie` or `FirstName` are censored too. */
const FIELDS_LOWER: ReadonlySet<string> = new Set(REDACTED_FIELDS.map((f) => f.toLowerCase()));

function isRedacted(key: string): boolean {
  return FIELDS.has(key) || FIELDS_LOWER.has(key.toLowerCase());
}

/**
 * A copy of a log object (a log call's merging object, or a child logger's bindings) with every
 * {@link REDACTED_FIELDS} property censored (in any letter case), at any depth up to
 * {@link MAX_DEPTH} and through arrays, class instances (a DTO), what a `toJSON` method returns
 * and errors (turned into pino's error shape first, so their own properties are walked too). The
 * caller's object is never changed; a branch without a redacted field is returned as it is.
 *
 * `opaque` names top-level keys left whole for pino's serializers, which run after this: pino-http's
 * raw `req` and `res`, whose serializers (logger.ts) keep only the id, method, path and status
 * code, and `err`, whose serializer is {@link redactError}.
 *
 * This replaces pino's `redact` option, which took these fields as 168 wildcard paths (42 fields
 * at four depths), cloned and walked on every line, and stopped at the fourth level: a pino-http
 * request line with its two child loggers cost about 190 µs of CPU with it and 20 µs with this
 * (bench/access-log.bench.ts).
 */
export function redactLogObject(obj: Record<string, unknown>, opaque: ReadonlySet<string> = NO_KEYS): Record<string, unknown> {
  return censorRecord(obj, 0, undefined, opaque);
}

/** `record` with its redacted fields censored and its other values walked (a copy only if one changed). */
function censorRecord(record: Record<string, unknown>, depth: number, seen: Set<object> | undefined, opaque: ReadonlySet<string>): Record<string, unknown> {
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(record)) {
    const value = record[key];
    const next = isRedacted(key) ? CENSOR : opaque.has(key) ? value : walk(value, depth + 1, seen);
    if (next !== value) (copy ??= { ...record })[key] = next;
  }
  return copy ?? record;
}

const NO_KEYS: ReadonlySet<string> = new Set();
const CHINDINGS = pino.symbols.chindingsSym;

/**
 * pino's `onChild` hook: a child logger's bindings (`logger.child({ ... })`) are serialised once,
 * into the JSON text every line of that child starts with, without passing the formatters. That
 * text is read back here and, only if a field in it is censored, written anew. pino-http makes two
 * children per request (the request, the request id): about two microseconds each. A child's
 * `setBindings` (nestjs-pino's `assign`) skips the formatters too, so the child's is wrapped.
 */
export function redactChildBindings(child: pino.Logger): void {
  censorChindings(child);
  const holder = child as unknown as { setBindings: (bindings: pino.Bindings) => void };
  if (holder.setBindings !== setBindingsCensored) {
    pinoSetBindings ??= holder.setBindings;
    holder.setBindings = setBindingsCensored;
  }
}

let pinoSetBindings: ((this: pino.Logger, bindings: pino.Bindings) => void) | undefined;

function setBindingsCensored(this: pino.Logger, bindings: pino.Bindings): void {
  pinoSetBindings!.call(this, bindings);
  censorChindings(this);
}

function censorChindings(logger: pino.Logger): void {
  const holder = logger as unknown as Record<symbol, unknown>;
  const text = holder[CHINDINGS];
  if (typeof text !== 'string' || text.length === 0) return;
  const bindings = JSON.parse(`{${text.slice(1)}}`) as Record<string, unknown>;
  const redacted = redactLogObject(bindings);
  if (redacted !== bindings) holder[CHINDINGS] = `,${JSON.stringify(redacted).slice(1, -1)}`;
}

/**
 * pino's `logMethod` hook: the arguments after a log call's first (a message given as an object,
 * `%o`/`%O`/`%j` format arguments) become text without passing the formatters; they are censored
 * here. The first argument, the merging object, is the formatter's.
 */
export function redactLogArguments(this: pino.Logger, args: Parameters<pino.LogFn>, method: pino.LogFn): void {
  let censored: unknown[] | undefined;
  for (let i = 1; i < args.length; i++) {
    const arg: unknown = args[i];
    if (arg === null || typeof arg !== 'object') continue;
    const next = walk(arg, 1, undefined);
    if (next !== arg) (censored ??= [...args])[i] = next;
  }
  (method as (...a: unknown[]) => void).apply(this, censored ?? args);
}

/**
 * pino's error shape of `err` (type, message, stack, and the error's own properties), censored
 * as {@link redactLogObject} does. Takes an error, or one already in pino's shape (pino-http hands
 * its error serializer that): serialising that again would name its type `Object`.
 */
export function redactError(err: unknown): unknown {
  return walk(err, 1, undefined);
}

function walk(value: unknown, depth: number, seen: Set<object> | undefined): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return TOO_DEEP;
  // Left to JSON as they are: they hold no fields (a Buffer's toJSON writes its bytes).
  if (value instanceof Date || ArrayBuffer.isView(value) || value instanceof Map || value instanceof Set) return value;
  let shape: object = value instanceof Error ? serializeError(value) : value;
  // What JSON would write is what `toJSON` returns: that is walked, not the object.
  const toJSON = (shape as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') {
    const json: unknown = toJSON.call(shape);
    if (json === null || typeof json !== 'object') return json;
    if (json instanceof Date || ArrayBuffer.isView(json)) return json;
    shape = json;
  }
  const walked = walkObject(shape, depth, seen);
  // JSON calls the `toJSON` of what is handed back too: hand back the walked fields only.
  if (!Array.isArray(walked) && typeof (walked as { toJSON?: unknown }).toJSON === 'function') {
    const { toJSON: _dropped, ...fields } = walked as Record<string, unknown>;
    return fields;
  }
  return walked;
}

/** pino's error shape, or the same built by hand for an error pino cannot tag (a frozen one). */
function serializeError(err: Error): object {
  try {
    return pino.stdSerializers.err(err) as object;
  } catch {
    const shape: Record<string, unknown> = { type: err.constructor?.name ?? err.name, message: String(err.message), stack: err.stack };
    for (const key of Object.keys(err)) if (!(key in shape)) shape[key] = (err as unknown as Record<string, unknown>)[key];
    return shape;
  }
}

function walkObject(value: object, depth: number, seen: Set<object> | undefined): unknown {
  seen ??= new Set();
  if (seen.has(value)) return '[Circular]';
  seen.add(value);
  try {
    if (Array.isArray(value)) {
      let copy: unknown[] | undefined;
      for (let i = 0; i < value.length; i++) {
        const next = walk(value[i], depth + 1, seen);
        if (next !== value[i]) (copy ??= value.slice())[i] = next;
      }
      return copy ?? value;
    }
    // A class instance whose fields are censored becomes the plain object JSON would have
    // written of it (its own enumerable properties).
    return censorRecord(value as Record<string, unknown>, depth, seen, NO_KEYS);
  } finally {
    seen.delete(value);
  }
}
