/**
 * What the app's own metrics say about a figure: `GET /api/v1/metrics` of each API process (the
 * HTTP histogram and prom-client's default metrics, the same an operator scrapes) read before and
 * after the run. Two questions a p99 raises that the load generator cannot answer:
 * - was the time spent inside the app (server-side histogram) or on the way to it;
 * - how much of the app's wall time were garbage-collection pauses, during which no request of
 *   that process moves (every request arriving then waits the pause out).
 * The figures are over the window between the two readings as each process answered them.
 */

/** One sample of the Prometheus text format: `name{label="value",…} value`. */
interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of every process, summed by series (name and labels). */
export type AppMetrics = Map<string, Sample>;

const LINE = /^([A-Za-z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /(\w+)="((?:[^"\\]|\\.)*)"/g;

function parse(text: string, into: AppMetrics): void {
  for (const line of text.split('\n')) {
    const m = LINE.exec(line);
    if (!m) continue; // comments (# HELP, # TYPE) and blank lines
    const value = Number(m[3]);
    if (!Number.isFinite(value)) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(LABEL)) labels[l[1]!] = l[2]!;
    const key = `${m[1]}${JSON.stringify(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)))}`;
    const seen = into.get(key);
    if (seen) seen.value += value;
    else into.set(key, { name: m[1]!, labels, value });
  }
}

/** Each process's metrics. undefined when one could not be read (the figure is then left out). */
async function readAppMetrics(urls: readonly string[]): Promise<AppMetrics[] | undefined> {
  // All processes at once, so that their windows start and end together.
  const all = await Promise.all(
    urls.map(async (url) => {
      try {
        const res = await fetch(`${url}/api/v1/metrics`);
        if (!res.ok) return undefined;
        const one: AppMetrics = new Map();
        parse(await res.text(), one);
        return one;
      } catch {
        return undefined;
      }
    }),
  );
  return all.every((one) => one !== undefined) ? all : undefined;
}

/**
 * Each process's count of full GCs (V8's mark-compact, `marak_gc_pause_seconds` kind major) since
 * its metrics began, after the application was built (the full GCs of its start-up are not
 * counted); undefined when a process could not be read.
 */
export async function fullGcCounts(urls: readonly string[]): Promise<number[] | undefined> {
  return (await readAppMetrics(urls))?.map((one) => sum(one, 'marak_gc_pause_seconds_count', { kind: 'major' }));
}

/** The counters of every process added up. */
function summed(processes: readonly AppMetrics[]): AppMetrics {
  const all: AppMetrics = new Map();
  for (const one of processes) {
    for (const [key, s] of one) {
      const seen = all.get(key);
      if (seen) seen.value += s.value;
      else all.set(key, { ...s });
    }
  }
  return all;
}

/**
 * What a run did in the app: `growth` of every counter (all processes added up), and the worst
 * process's event-loop delay over the run. prom-client resets its delay histogram at each
 * scrape, so the second reading's gauges cover exactly the time since the first.
 */
export interface AppRun {
  growth: AppMetrics;
  /** seconds; the largest over the processes */
  loopDelay: { p99: number; max: number };
}

/**
 * Runs `fn` between two readings, `seconds` apart. `fn` may call `counting()` when the part of
 * the run it counts begins (a steady load's ramp is over, see `load`'s `onCounting`): the first
 * reading is then taken again at that moment, so that the app's figures cover the same requests
 * as the generator's.
 */
export async function withAppMetrics<T>(
  urls: readonly string[],
  fn: (counting: () => void) => Promise<T>,
): Promise<{ result: T; app: AppRun | undefined; seconds: number }> {
  let before = await readAppMetrics(urls);
  let started = performance.now();
  let again: Promise<AppMetrics[] | undefined> | undefined;
  const result = await fn(() => {
    again = readAppMetrics(urls).then((m) => {
      started = performance.now(); // when the processes answered: their window starts there
      return m;
    });
  });
  if (again) before = await again;
  const after = await readAppMetrics(urls);
  const seconds = (performance.now() - started) / 1000; // to when the processes answered again
  if (!before || !after) return { result, app: undefined, seconds };
  const first = summed(before);
  const growth: AppMetrics = new Map();
  for (const [key, s] of summed(after)) growth.set(key, { ...s, value: s.value - (first.get(key)?.value ?? 0) });
  const worst = (name: string) => Math.max(0, ...after.map((one) => sum(one, name, {})));
  return { result, app: { growth, loopDelay: { p99: worst('marak_nodejs_eventloop_lag_p99_seconds'), max: worst('marak_nodejs_eventloop_lag_max_seconds') } }, seconds };
}

function sum(g: AppMetrics, name: string, match: Record<string, string>): number {
  let total = 0;
  for (const s of g.values()) {
    if (s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v)) total += s.value;
  }
  return total;
}

/** Cumulative bucket counts of a histogram by upper bound (summed over the other labels). */
function buckets(g: AppMetrics, name: string, match: Record<string, string>): Array<[number, number]> {
  const byLe = new Map<number, number>();
  for (const s of g.values()) {
    if (s.name !== `${name}_bucket` || !Object.entries(match).every(([k, v]) => s.labels[k] === v)) continue;
    const le = s.labels.le === '+Inf' ? Infinity : Number(s.labels.le);
    byLe.set(le, (byLe.get(le) ?? 0) + s.value);
  }
  return [...byLe].sort(([a], [b]) => a - b);
}

const msOf = (seconds: number) => (seconds === Infinity ? '∞' : `${+(seconds * 1000).toFixed(1)}`);

/**
 * "server-side (the app's histogram of GET /api/v1/actions, 1000 requests): 98.1 % within 20 ms,
 * p99 in (20, 25] ms". The histogram has bucket bounds, not exact times: the p99 is the bucket it
 * falls in.
 */
export function serverSide(run: AppRun | undefined, method: string, routes: readonly string[], targetMs: number): string {
  if (!run) return 'server-side n/a (metrics not read)';
  const g = run.growth;
  const match = (route: string) => ({ method, route });
  const cum = new Map<number, number>();
  for (const route of routes) for (const [le, n] of buckets(g, 'marak_http_request_duration_seconds', match(route))) cum.set(le, (cum.get(le) ?? 0) + n);
  const sorted = [...cum].sort(([a], [b]) => a - b);
  const count = routes.reduce((n, route) => n + sum(g, 'marak_http_request_duration_seconds_count', match(route)), 0);
  if (!count || !sorted.length) return `server-side n/a (no ${method} ${routes.join(', ')} in the app's histogram)`;
  const within = sorted.find(([le]) => Math.abs(le - targetMs / 1000) < 1e-9)?.[1];
  const rank = Math.ceil(0.99 * count);
  const i = sorted.findIndex(([, n]) => n >= rank);
  const p99 = i < 0 ? 'beyond the last bucket' : `in (${i === 0 ? 0 : msOf(sorted[i - 1]![0])}, ${msOf(sorted[i]![0])}] ms`;
  const share = within === undefined ? '' : `${((100 * within) / count).toFixed(1)} % within ${targetMs} ms, `;
  return `server-side (the app's histogram, ${count} requests): ${share}p99 ${p99}`;
}

/**
 * "GC in the app: 310 minor pauses, 9.8 ms mean, 41 over 10 ms; 3 major, 18.0 ms mean; paused
 * 2.9 % of each process's wall time; event-loop delay p99 21 ms, max 48 ms (the worst process)":
 * the app's `marak_gc_pause_seconds` (every pause as the process saw it: on a busy host it includes
 * waiting for a core) and prom-client's event-loop delay (how late a 10 ms timer ran: whatever kept
 * the loop from turning, GC or a long stretch of JavaScript or a core taken by another process).
 */
export function gcPauses(run: AppRun | undefined, processes: number, seconds: number): string {
  if (!run) return 'GC n/a (metrics not read)';
  const g = run.growth;
  const name = 'marak_gc_pause_seconds';
  const parts: string[] = [];
  let paused = 0;
  for (const kind of ['minor', 'major', 'incremental', 'weakcb']) {
    const n = sum(g, `${name}_count`, { kind });
    if (!n) continue;
    const total = sum(g, `${name}_sum`, { kind });
    paused += total;
    const over10 = buckets(g, name, { kind }).find(([le]) => Math.abs(le - 0.01) < 1e-9);
    const slow = over10 ? `, ${n - over10[1]} over 10 ms` : '';
    parts.push(`${n} ${kind} ${n === 1 ? 'pause' : 'pauses'}, ${((1000 * total) / n).toFixed(1)} ms mean${slow}`);
  }
  const loop = `event-loop delay p99 ${msOf(run.loopDelay.p99)} ms, max ${msOf(run.loopDelay.max)} ms (the worst process)`;
  if (!parts.length) return `GC in the app: no pause; ${loop}`;
  return `GC in the app: ${parts.join('; ')}; paused ${((100 * paused) / (processes * seconds)).toFixed(1)} % of each process's wall time; ${loop}`;
}
