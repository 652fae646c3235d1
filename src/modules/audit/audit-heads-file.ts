/**
 * The chain's head, recorded outside the database: one JSON line per export appended to
 * `<dataDir>/audit/heads.jsonl`. A row can be deleted from the tail without breaking any link
 * that remains; a head recorded here that is no longer in the chain shows it.
 */
import { createReadStream } from 'node:fs';
import { appendFile, mkdir, open } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { createInterface } from 'node:readline';

export interface RecordedHead {
  seq: string;
  id: string;
  /** hex of the row's hash */
  hash: string;
  /** when it was exported (ISO 8601) */
  at: string;
}

export class HeadsFileError extends Error {
  override name = 'HeadsFileError';
}

export function headsFilePath(dataDir: string): string {
  return resolve(dataDir, 'audit', 'heads.jsonl');
}

const SEQ = /^[1-9][0-9]{0,18}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const HEX32 = /^[0-9a-f]{64}$/;

export function parseHeadLine(line: string): RecordedHead | undefined {
  try {
    const v = JSON.parse(line) as Partial<RecordedHead>;
    if (typeof v.seq === 'string' && SEQ.test(v.seq) && typeof v.id === 'string' && UUID.test(v.id) && typeof v.hash === 'string' && HEX32.test(v.hash) && typeof v.at === 'string') {
      return { seq: v.seq, id: v.id, hash: v.hash, at: v.at };
    }
  } catch {
    // fall through
  }
  return undefined;
}

function isMissing(e: unknown): boolean {
  return (e as { code?: string }).code === 'ENOENT';
}

/**
 * Every head recorded in the file (none when there is no file), by seq. A malformed complete
 * line throws: the file is evidence and is not second-guessed. An unterminated last line (a
 * crash in the middle of an append) is ignored.
 */
export async function readRecordedHeads(path: string): Promise<Map<string, RecordedHead>> {
  const heads = new Map<string, RecordedHead>();
  let size: number;
  try {
    const fh = await open(path, 'r');
    size = (await fh.stat()).size;
    await fh.close();
  } catch (e) {
    if (isMissing(e)) return heads;
    throw e;
  }
  if (size === 0) return heads;
  const endsWithNewline = await lastByteIsNewline(path, size);
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8', end: size - 1 }), crlfDelay: Infinity });
  let n = 0;
  let pending: string | undefined;
  const take = (line: string, lineNo: number) => {
    if (line.trim() === '') return;
    const head = parseHeadLine(line);
    if (!head) throw new HeadsFileError(`heads file line ${lineNo} is not a recorded head`);
    const seen = heads.get(head.seq);
    if (seen && (seen.hash !== head.hash || seen.id !== head.id)) throw new HeadsFileError(`heads file line ${lineNo} contradicts an earlier line for seq ${head.seq}`);
    heads.set(head.seq, head);
  };
  for await (const line of lines) {
    if (pending !== undefined) take(pending, n);
    n++;
    pending = line;
  }
  if (pending !== undefined && endsWithNewline) take(pending, n);
  return heads;
}

async function lastByteIsNewline(path: string, size: number): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const b = Buffer.alloc(1);
    await fh.read(b, 0, 1, size - 1);
    return b[0] === 0x0a;
  } finally {
    await fh.close();
  }
}

/** The heads of the file's last complete lines (its last `tailBytes`), by seq: what an export compares with. */
export async function readRecentHeads(path: string, tailBytes = 64 * 1024): Promise<Map<string, RecordedHead>> {
  const heads = new Map<string, RecordedHead>();
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (e) {
    if (isMissing(e)) return heads;
    throw e;
  }
  try {
    const size = (await fh.stat()).size;
    const length = Math.min(size, tailBytes);
    const buf = Buffer.alloc(length);
    await fh.read(buf, 0, length, size - length);
    const lines = buf.toString('utf8').split('\n');
    lines.pop(); // after the last newline: empty, or an unterminated fragment
    for (const line of lines) {
      const head = parseHeadLine(line); // the first line may be cut by the tail: not a head, skipped
      if (head) heads.set(head.seq, head);
    }
    return heads;
  } finally {
    await fh.close();
  }
}

/** Appends one head as a line (O_APPEND: lines from concurrent writers never interleave). */
export async function appendHead(path: string, head: RecordedHead): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await appendFile(path, `${JSON.stringify({ seq: head.seq, id: head.id, hash: head.hash, at: head.at })}\n`, { encoding: 'utf8', mode: 0o600 });
}
