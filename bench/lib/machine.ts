import { createCipheriv, randomBytes } from 'node:crypto';
import { cpus, loadavg, release } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { MachineTask } from './machine-worker.js';
import { median, percentile } from './measure.js';

/**
 * What machine a run's figures come from, printed first by `npm run bench` (bench/run.ts). Every
 * session here gets a new VM of the same nominal size, and the app's CPU per inbox request has
 * differed between them by a third and more (bench/RESULTS.md, 2026-12-05); this line is a
 * rough measure of that, taken before any benchmark starts (right after the build: the load
 * average it prints says how quiet the machine was):
 * - **wake-up lateness**: a thread sleeps 1 ms (Atomics.wait, a futex with a timeout) again and
 *   again, and how much later than asked it runs again. It includes Linux's timer slack for
 *   ordinary threads (50 µs by default). Every request of the benchmarks wakes the app,
 *   PostgreSQL and the load generator several times; on a VM whose idle vCPUs halt, each wake-up
 *   is a trip through the hypervisor, and this is what one costs;
 * - **one CPU task alone, then two at once** on two threads that start their clocks together: a
 *   fixed amount of AES-256-GCM decryption (the inbox's own work per row). Alone, its time is one
 *   core's speed; the pair's mean against it is whether two cores run side by side (near 1.0x if
 *   so; two hyper-threads of one core, or a host that does not run both vCPUs at once, give more).
 * Readings on one machine vary from run to run (bench/RESULTS.md has several): a difference
 * between machines means something when it is larger than that.
 */
const SLEEP_SECONDS = 10;
const DECRYPTIONS = 20_000;
const ROUNDS = 3;

/**
 * Runs one measurement in a worker thread of its own (bench/lib/machine-worker.ts) and returns its
 * answer; rejects if the worker fails or ends without one.
 */
function inWorker<T>(task: MachineTask): Promise<T> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./machine-worker.js', import.meta.url), { workerData: task });
    worker.once('message', (r: T) => {
      resolve(r);
      void worker.terminate();
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`a measuring thread ended without an answer (exit ${code})`)));
  });
}

const us = (x: number) => (x < 1000 ? `${Math.round(x)} µs` : `${(x / 1000).toFixed(1)} ms`);

/** The `# machine:` line (see above); about 12 s. */
export async function machineLine(): Promise<string> {
  const load = loadavg()[0]!;
  const late = await inWorker<number[]>({ kind: 'sleep', seconds: SLEEP_SECONDS });
  const key = randomBytes(32);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const sealed = Buffer.concat([cipher.update(randomBytes(200)), cipher.final()]);
  const decrypt = (workers: number): MachineTask => {
    const gate = new SharedArrayBuffer(8);
    new Int32Array(gate)[1] = workers;
    return { kind: 'decrypt', key, iv, tag: cipher.getAuthTag(), sealed, count: DECRYPTIONS, gate };
  };
  const alone: number[] = [];
  const together: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    alone.push(await inWorker<number>(decrypt(1)));
    const pair = decrypt(2);
    const [a, b] = await Promise.all([inWorker<number>(pair), inWorker<number>(pair)]);
    together.push((a! + b!) / 2);
  }
  const one = median(alone);
  const two = median(together);
  const cpu = cpus();
  return (
    `# machine: ${cpu.length} cores (${cpu[0]?.model.trim() ?? 'unknown'}), Linux ${release()}, Node ${process.version}, load average ${load.toFixed(2)} before; ` +
    `wake-up lateness of a 1 ms sleep (${late.length} sleeps, ${SLEEP_SECONDS} s): p50 ${us(percentile(late, 50))}, p99 ${us(percentile(late, 99))}, ` +
    `p99.9 ${us(percentile(late, 99.9))}, max ${us(late[late.length - 1]!)}; ` +
    `${DECRYPTIONS} AES-256-GCM decryptions of 200 bytes: ${one.toFixed(1)} ms alone, ${two.toFixed(1)} ms each two at once on two threads (${(two / one).toFixed(2)}x; median of ${ROUNDS})`
  );
}
