import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export interface RunningProcess {
  child: ChildProcess;
  output: () => string;
  /** Resolves when a line matching `pattern` appears; rejects if the process exits first. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  exited: Promise<number | null>;
}

/** Runs a compiled entry point (`npm test` builds dist/ first) as a real process. */
export function runEntry(entry: 'main' | 'worker', env: Record<string, string>): RunningProcess {
  const child = spawn(process.execPath, [path.resolve('dist/src', `${entry}.js`)], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const listeners = new Set<() => void>();
  const onData = (b: Buffer) => {
    out += b.toString();
    for (const l of listeners) l();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => (resolve(code), listeners.forEach((l) => l()))));
  return {
    child,
    output: () => out,
    exited,
    waitFor: (pattern, timeoutMs = 30_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const line = out.split('\n').find((l) => pattern.test(l));
          if (line !== undefined) return done(() => resolve(line));
          if (child.exitCode !== null) return done(() => reject(new Error(`process exited (${child.exitCode}) before ${pattern}:\n${out}`)));
        };
        const timer = setTimeout(() => done(() => reject(new Error(`timed out waiting for ${pattern}:\n${out}`))), timeoutMs);
        const done = (f: () => void) => (clearTimeout(timer), listeners.delete(check), f());
        listeners.add(check);
        check();
      }),
  };
}
