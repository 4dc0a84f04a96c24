import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT, type Provider } from '@stackdrill/stack';
import { runFault, type FaultRequest } from '../run-fault.ts';

/** Polls `check` until it holds (at most `ms`); the last answer is in the failure. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T>,
  holds: (v: T) => boolean,
  ms = 30_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await check().catch(() => undefined);
    if (last !== undefined && holds(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${what} did not happen within ${ms} ms; last seen: ${JSON.stringify(last)}`);
}

/**
 * Runs the fault on the provider and `during` once it is in place; resolves, after the revert,
 * with what `during` saw (an error it threw comes back as the value, for the test to judge).
 */
export async function whileInPlace<T>(
  provider: Provider,
  request: FaultRequest,
  during: () => Promise<T>,
): Promise<T | Error> {
  let seen: Promise<T | Error> | undefined;
  await runFault(provider, request, {
    onEvent: (event) => {
      if (event.type === 'injected') seen = during().catch((e: unknown) => e as Error);
    },
  });
  return seen!;
}

/**
 * The chaos command on the `test` instance, run as its own process (not through run.mjs, so a
 * signal reaches the process that holds the fault).
 */
export function chaosCli(...args: string[]): {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
  /** Resolves once it says its fault is in place (at most a minute). */
  inPlace: () => Promise<string>;
} {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(REPO_ROOT, 'scripts', 'chaos.ts'), ...args, '--instance', 'test'],
    { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (out += c));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const output = () => out;
  return {
    child,
    output,
    exited,
    inPlace: () =>
      eventually(
        'the fault in place',
        async () => output(),
        (o) => o.includes('in place'),
        60_000,
      ),
  };
}

/** What `during` saw, or the error it threw, thrown here: for a test that expects no error. */
export function seen<T>(value: T | Error): T {
  if (value instanceof Error) throw value;
  return value;
}
