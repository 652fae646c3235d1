import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU time from /proc (Linux; the clock ticks of `utime + stime`, 10 ms each): what a figure cost
 * the app's processes and the PostgreSQL backends serving the benchmark's database, divided by
 * the requests it answered. On a shared two-core machine wall-clock figures move with whatever
 * else runs; CPU per request moves much less, so it is what a before/after of a change compares.
 */
const TICK_MS = 10; // USER_HZ: 100 on Linux whatever the kernel's HZ

export interface CpuCost {
  /** CPU milliseconds of the app's processes (or the raw baseline's own process). */
  app: number;
  /** CPU milliseconds of the PostgreSQL backends connected to the database. */
  pg: number;
  /**
   * Write system calls of the app's processes (`syscw` of /proc/<pid>/io): one per statement sent
   * to PostgreSQL, per response, per log line. Unlike CPU time it does not move with the host, so
   * it shows a change in round trips exactly. undefined where /proc/<pid>/io cannot be read.
   */
  writes?: number;
  /**
   * Milliseconds the app's main threads (each process's event loop; for `'self'`, this one's) and
   * the PostgreSQL backends spent runnable but waiting for a core (the second field of
   * /proc/<pid>/schedstat). On a machine whose cores are shared with the database and the load
   * generator, this is the part of a request's latency that no change to the app's code removes
   * except by using less CPU. undefined where schedstat cannot be read.
   */
  waited?: { app: number; pg: number };
}

function writesOf(pid: number | 'self'): number | undefined {
  try {
    const m = /^syscw: (\d+)$/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Run-queue wait of the process's main thread, in ms (schedstat: cpu time ns, wait ns, timeslices). */
function waitOf(pid: number | 'self'): number | undefined {
  try {
    const wait = Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[1]);
    return Number.isFinite(wait) ? wait / 1e6 : undefined;
  } catch {
    return undefined;
  }
}

function ticksOf(pid: number): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ').at(-1)!.split(' ');
    return Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of stat)
  } catch {
    return undefined; // gone, or no /proc
  }
}

/**
 * The PostgreSQL backends connected to `database` (their titles are `postgres: … <user> <database> <host> …`).
 * Parallel query workers (`parallel worker for PID n`, no database in the title) are not counted;
 * the HTTP benchmarks' statements are too small to get any.
 */
function backendsOf(database: string): number[] {
  const pids: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return pids;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const title = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (title.startsWith('postgres: ') && title.includes(` ${database} `)) pids.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}

/** `read` of each process that can still be read (by pid). */
function snapshot<P extends number | 'self'>(pids: readonly P[], read: (pid: P) => number | undefined): Map<P, number> {
  const m = new Map<P, number>();
  for (const pid of pids) {
    const v = read(pid);
    if (v !== undefined) m.set(pid, v);
  }
  return m;
}

/** The growth of each process's counter from `before` to `after` (a process that appeared counts whole). */
function growth<P>(after: Map<P, number>, before: Map<P, number>): number {
  return [...after].reduce((sum, [pid, v]) => sum + (v - (before.get(pid) ?? 0)), 0);
}

/**
 * Runs `fn` and returns what it cost: `appPids` (the app's processes; `'self'` for this process,
 * as the raw baseline's client) and the backends of `databaseUrl`'s database. A backend opened
 * during the run counts whole; one that closed during it is missed (the pools here keep theirs).
 * undefined where /proc cannot be read.
 */
export async function measureCpu<T>(appPids: number[] | 'self', databaseUrl: string, fn: () => Promise<T>): Promise<{ result: T; cpu: CpuCost | undefined }> {
  const database = decodeURIComponent(new URL(databaseUrl).pathname.slice(1));
  const selfBefore = process.cpuUsage();
  const writers = appPids === 'self' ? (['self'] as const) : appPids;
  const appBefore = appPids === 'self' ? undefined : snapshot(appPids, ticksOf);
  const writesBefore = snapshot<number | 'self'>(writers, writesOf);
  const waitBefore = snapshot<number | 'self'>(writers, waitOf);
  const backendsBefore = backendsOf(database);
  const pgBefore = snapshot(backendsBefore, ticksOf);
  const pgWaitBefore = snapshot(backendsBefore, waitOf);
  const result = await fn();
  const self = process.cpuUsage(selfBefore);
  const backendsAfter = backendsOf(database);
  const pgAfter = snapshot(backendsAfter, ticksOf);
  if (pgAfter.size === 0 && pgBefore.size === 0) return { result, cpu: undefined };
  const app = appPids === 'self' ? (self.user + self.system) / 1000 : growth(snapshot(appPids, ticksOf), appBefore!) * TICK_MS;
  // Only when every process could be read both times: a partial sum would undercount.
  const whole = <P>(before: Map<P, number>, after: Map<P, number>) => (after.size && after.size === before.size && before.size === writers.length ? growth(after, before) : undefined);
  const writes = whole(writesBefore, snapshot<number | 'self'>(writers, writesOf));
  const appWaited = whole(waitBefore, snapshot<number | 'self'>(writers, waitOf));
  const pgWaitAfter = snapshot(backendsAfter, waitOf);
  const waited = appWaited === undefined || pgWaitAfter.size === 0 ? undefined : { app: appWaited, pg: growth(pgWaitAfter, pgWaitBefore) };
  return { result, cpu: { app, pg: growth(pgAfter, pgBefore) * TICK_MS, writes, waited } };
}

/**
 * "CPU per request: app 7.9 ms + PostgreSQL 5.1 ms, app 9.0 write system calls, waited for a core:
 * app's main threads 3.1 ms + PostgreSQL 1.2 ms" (or "n/a").
 */
export function perRequest(cpu: CpuCost | undefined, requests: number, what = 'request', appName = 'app'): string {
  if (!cpu || requests <= 0) return `CPU per ${what} n/a (no /proc)`;
  const writes = cpu.writes === undefined ? '' : `, ${appName} ${(cpu.writes / requests).toFixed(1)} write system calls`;
  const waited = cpu.waited === undefined ? '' : `, waited for a core: ${appName === 'app' ? "app's main threads" : appName} ${(cpu.waited.app / requests).toFixed(2)} ms + PostgreSQL ${(cpu.waited.pg / requests).toFixed(2)} ms`;
  return `CPU per ${what}: ${appName} ${(cpu.app / requests).toFixed(2)} ms + PostgreSQL ${(cpu.pg / requests).toFixed(2)} ms${writes}${waited}`;
}
