/**
 * The measurements of bench/lib/machine.ts, each run in a worker thread of its own (off the main
 * thread's event loop): `sleep` the lateness of 1 ms sleeps, `decrypt` a fixed amount of AES-GCM.
 */
import { createDecipheriv } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';

export type MachineTask =
  | { kind: 'sleep'; seconds: number }
  | {
      kind: 'decrypt';
      key: Uint8Array;
      iv: Uint8Array;
      tag: Uint8Array;
      sealed: Uint8Array;
      count: number;
      /** Shared by the workers of one run: each counts itself in and starts its clock when all have (cell 1 holds how many). */
      gate: SharedArrayBuffer;
    };

/** Lateness of each 1 ms sleep (Atomics.wait, a futex with a timeout) over `seconds`, in microseconds, sorted. */
function sleepLateness(seconds: number): number[] {
  const cell = new Int32Array(new SharedArrayBuffer(4));
  const late: number[] = [];
  const end = process.hrtime.bigint() + BigInt(seconds) * 1_000_000_000n;
  for (let t = process.hrtime.bigint(); t < end; ) {
    Atomics.wait(cell, 0, 0, 1);
    const now = process.hrtime.bigint();
    late.push(Number(now - t) / 1000 - 1000);
    t = now;
  }
  return late.sort((a, b) => a - b);
}

/** Milliseconds of wall time for `count` decryptions of one message, timed from when every worker of the run is ready. */
function decryptions(t: Extract<MachineTask, { kind: 'decrypt' }>): number {
  const gate = new Int32Array(t.gate);
  const d0 = createDecipheriv('aes-256-gcm', t.key, t.iv); // the cipher's code loaded before the clock starts
  d0.setAuthTag(t.tag);
  d0.update(t.sealed);
  d0.final();
  if (Atomics.add(gate, 0, 1) + 1 === gate[1]) Atomics.notify(gate, 0);
  else while (Atomics.load(gate, 0) < gate[1]!) Atomics.wait(gate, 0, Atomics.load(gate, 0), 1000);
  const start = process.hrtime.bigint();
  for (let i = 0; i < t.count; i++) {
    const d = createDecipheriv('aes-256-gcm', t.key, t.iv);
    d.setAuthTag(t.tag);
    d.update(t.sealed);
    d.final();
  }
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const task = workerData as MachineTask;
parentPort!.postMessage(task.kind === 'sleep' ? sleepLateness(task.seconds) : decryptions(task));
