import autocannon from 'autocannon';

export interface LoadResult {
  /** 2xx responses per second over the run. */
  rps: number;
  p50: number;
  p99: number;
  ok: number;
  failed: number;
  seconds: number;
  /** Every response of the run, the uncounted ramp of a steady run included (what its CPU time served). */
  responses: number;
}

/**
 * Load on loopback with autocannon, as fast as `connections` connections go (`rate` unset), or at
 * a steady `rate` requests per second (see `steadyLoad`). Latencies are autocannon's (ms, from
 * sending the request to the end of the response).
 */
export async function load(opts: {
  /** one base URL, or several (API replicas): requests are spread evenly over them */
  url: string | string[];
  token?: string;
  connections: number;
  seconds: number;
  rate?: number;
  requests: autocannon.Request[];
  /** Called when the counted part of a steady run begins (its ramp is over); not called otherwise. */
  onCounting?: () => void;
}): Promise<LoadResult> {
  const urls = typeof opts.url === 'string' ? [opts.url] : opts.url;
  if (opts.rate) return steadyLoad({ ...opts, urls, rate: opts.rate });
  if (urls.length > 1) return spreadLoad({ ...opts, urls });
  return singleLoad({ ...opts, url: urls[0]! });
}


async function singleLoad(opts: { url: string; token?: string; connections: number; seconds: number; requests: autocannon.Request[] }): Promise<LoadResult> {
  const result = await autocannon({
    url: opts.url,
    connections: opts.connections,
    duration: opts.seconds,
    headers: headersOf(opts.token),
    requests: opts.requests,
    timeout: 30,
  });
  const failed = result.non2xx + result.errors + result.timeouts;
  return { rps: result['2xx'] / (result.duration || opts.seconds), p50: result.latency.p50, p99: result.latency.p99, ok: result['2xx'], failed, seconds: result.duration, responses: result['2xx'] + result.non2xx };
}

/** The start of a steady run that is not counted (see steadyLoad). */
export const STEADY_RAMP_MS = 3000;

const headersOf = (token?: string) => ({ 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) });

/**
 * A steady `rate` requests per second, evenly spaced. autocannon's own `overallRate` is a quota
 * per connection per second: each connection sends its quota back to back at the start of every
 * second and then waits, so "100 requests/s" over 10 connections is a burst at full speed each
 * second, and its latencies are those of saturation. Here every request of the second has its own
 * slot: `rate` autocannon instances of one connection at one request per second each, started
 * 1000/rate ms apart, and the latency of every response is collected from their 'response' events.
 */
async function steadyLoad(opts: { urls: string[]; token?: string; seconds: number; rate: number; requests: autocannon.Request[]; onCounting?: () => void }): Promise<LoadResult> {
  // The first 3 s are the generator's ramp, not counted: starting the instances takes this process
  // 90 % of a core for a second (measured: 91 %, 78 %, then 6 % per half second against a trivial
  // server), which on two cores starves the app and the database, and the queue that builds then
  // takes another second or two to drain.
  //
  // A sequence of several requests (create, then submit) is sent by each instance one request per
  // second, so instances started in the same second would all send their sequence's first request
  // in one second and its second request in the next: alternate seconds of 100 creates and of 100
  // submits. Instance i starts `i mod length` seconds late instead, so that every second holds
  // each request of the sequence in equal numbers, interleaved slot by slot, as independent users
  // would send them (and it ends as late as the others, its run shorter by as much). Each API
  // process gets instances of every phase.
  const responses = new Responses(STEADY_RAMP_MS);
  const counting = setTimeout(() => opts.onCounting?.(), STEADY_RAMP_MS);
  try {
    const phases = opts.requests.length;
    const slots = Array.from({ length: opts.rate }, (_, i) => ({ i, at: (i * 1000) / opts.rate + (i % phases) * 1000 })).sort((a, b) => a.at - b.at);
    const runs: Array<Promise<unknown>> = [];
    for (const { i, at } of slots) {
      const wait = responses.started + at - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const late = (i % phases) * 1000;
      runs.push(responses.run({ url: opts.urls[Math.floor(i / phases) % opts.urls.length]!, connections: 1, overallRate: 1, duration: opts.seconds + (STEADY_RAMP_MS - late) / 1000, headers: headersOf(opts.token), requests: opts.requests, timeout: 30 }));
    }
    await Promise.all(runs);
  } finally {
    clearTimeout(counting);
  }
  return responses.result();
}

/**
 * As fast as `connections` go, spread over several URLs: one autocannon instance per URL with its
 * share of the connections.
 */
async function spreadLoad(opts: { urls: string[]; token?: string; connections: number; seconds: number; requests: autocannon.Request[] }): Promise<LoadResult> {
  const responses = new Responses();
  await Promise.all(
    opts.urls.map((url, i) => {
      const connections = Math.floor(opts.connections / opts.urls.length) + (i < opts.connections % opts.urls.length ? 1 : 0);
      return responses.run({ url, connections, duration: opts.seconds, headers: headersOf(opts.token), requests: opts.requests, timeout: 30 });
    }),
  );
  return responses.result();
}

/** The latency of every response of several autocannon instances, from their 'response' events. */
class Responses {
  readonly started = performance.now();
  private readonly times: number[] = [];
  private ok = 0;
  private failed = 0;
  private responses = 0;

  /** `rampMs`: responses to requests sent in the first `rampMs` are not counted. */
  constructor(private readonly rampMs = 0) {}

  run(options: autocannon.Options): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const instance = autocannon(options, (err, result) => (err ? reject(err) : resolve(result)));
      instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
        this.responses++;
        if (performance.now() - responseTime < this.started + this.rampMs) return;
        if (statusCode >= 200 && statusCode < 300) {
          this.ok++;
          this.times.push(responseTime);
        } else this.failed++;
      });
      instance.on('reqError', () => this.failed++);
    });
  }

  result(): LoadResult {
    const elapsed = (performance.now() - this.started - this.rampMs) / 1000;
    this.times.sort((a, b) => a - b);
    return { rps: this.ok / elapsed, p50: percentile(this.times, 50), p99: percentile(this.times, 99), ok: this.ok, failed: this.failed, seconds: elapsed, responses: this.responses };
  }
}

/** The middle value (the upper of the two middle ones for an even count). */
export function median(values: readonly number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export interface LoopResult {
  /** Completed operations per second. */
  rate: number;
  p50: number;
  p99: number;
  count: number;
}

/**
 * Runs `op` from `concurrency` loops for `seconds`: as fast as they go, or started on a schedule of
 * `rate` per second over all loops (an operation that falls behind its slot starts at once, and
 * its latency is counted from its actual start, as autocannon does).
 */
export async function loop(opts: { concurrency: number; seconds: number; rate?: number }, op: (worker: number) => Promise<void>): Promise<LoopResult> {
  const times: number[] = [];
  const started = performance.now();
  const end = started + opts.seconds * 1000;
  let slot = 0;
  const worker = async (w: number) => {
    for (;;) {
      if (opts.rate) {
        const at = started + (slot++ * 1000) / opts.rate;
        if (at >= end) return;
        const wait = at - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      } else if (performance.now() >= end) return;
      const t0 = performance.now();
      await op(w);
      times.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, (_, w) => worker(w)));
  const elapsed = (performance.now() - started) / 1000;
  times.sort((a, b) => a - b);
  return { rate: times.length / elapsed, p50: percentile(times, 50), p99: percentile(times, 99), count: times.length };
}

export const ms = (x: number) => `${x.toFixed(1)} ms`;
export const met = (ok: boolean) => (ok ? 'met' : 'MISSED');
