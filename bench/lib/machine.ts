import { createCipheriv, randomBytes } from 'node:crypto';
import { cpus, release } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { MachineTask } from './machine-worker.js';

/**
 * What machine a run's figures come from, printed first by `npm run bench` (bench/run.ts), so
 * that a run elsewhere can be compared with bench/RESULTS.md knowing whether the machine is the
 * same kind. Every session here gets a new VM of the same nominal size, and the app's CPU per
 * inbox request has differed between them by a third and more (bench/RESULTS.md, 2026-12-05). Measured on the otherwise idle machine, before
 * any benchmark starts:
 * - **wake-up lateness**: a thread sleeps 1 ms (Atomics.wait, a futex with a timeout) again and
 *   again, and how much later than asked it runs again. Every request of the benchmarks wakes the
 *   app, PostgreSQL and the load generator several times; on a VM whose idle vCPUs halt, each
 *   wake-up is a trip through the hypervisor, and this is its cost with nothing else running;
 * - **one CPU task alone, then two at once** on two threads: a fixed amount of AES-256-GCM
 *   decryption (the inbox's own work per row). Alone, its time is the machine's single-core speed;
 *   two at once against one alone is whether the two cores really run side by side (1.0x if so).
 */
const SLEEP_SECONDS = 10;
const DECRYPTIONS = 20_000;

/** Runs one measurement in a worker thread of its own (bench/lib/machine-worker.ts) and returns its answer. */
function inWorker<T>(task: MachineTask): Promise<T> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./machine-worker.js', import.meta.url), { workerData: task });
    worker.once('message', (r: T) => {
      resolve(r);
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}

const at = (sorted: Float64Array, p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
const us = (x: number) => (x < 1000 ? `${Math.round(x)} µs` : `${(x / 1000).toFixed(1)} ms`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** The `# machine:` line (see above); about 12 s. */
export async function machineLine(): Promise<string> {
  const late = await inWorker<Float64Array>({ kind: 'sleep', seconds: SLEEP_SECONDS });
  const key = randomBytes(32);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const sealed = Buffer.concat([cipher.update(randomBytes(200)), cipher.final()]);
  const task: MachineTask = { kind: 'decrypt', key, iv, tag: cipher.getAuthTag(), sealed, count: DECRYPTIONS };
  const alone: number[] = [];
  const together: number[] = [];
  for (let round = 0; round < 3; round++) {
    alone.push(await inWorker<number>(task));
    const pair = await Promise.all([inWorker<number>(task), inWorker<number>(task)]);
    together.push(Math.max(...pair));
  }
  const one = median(alone);
  const two = median(together);
  const cpu = cpus();
  return (
    `# machine: ${cpu.length} cores (${cpu[0]?.model.trim() ?? 'unknown'}), Linux ${release()}, Node ${process.version}; ` +
    `wake-up lateness of a 1 ms sleep on the idle machine (${late.length} sleeps, ${SLEEP_SECONDS} s): p50 ${us(at(late, 0.5))}, p99 ${us(at(late, 0.99))}, ` +
    `p99.9 ${us(at(late, 0.999))}, max ${us(late[late.length - 1]!)}; ` +
    `${DECRYPTIONS} AES-256-GCM decryptions of 200 bytes: ${one.toFixed(1)} ms alone, ${two.toFixed(1)} ms two at once on two threads (${(two / one).toFixed(2)}x)`
  );
}
