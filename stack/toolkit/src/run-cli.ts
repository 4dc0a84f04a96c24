import pc from 'picocolors';
import { StackError, UsageError } from './errors.ts';

/**
 * Wraps a command's main: a StackError prints its paragraph and exits 1, a UsageError exits 2,
 * anything else prints its stack (a bug) and exits 1.
 */
export async function runCli(main: () => Promise<number | void>): Promise<void> {
  try {
    process.exitCode = (await main()) ?? 0;
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`${pc.red('usage:')} ${error.message}`);
      process.exitCode = 2;
    } else if (error instanceof StackError) {
      console.error(`${pc.red('error:')} ${error.describe()}`);
      process.exitCode = 1;
    } else {
      console.error(error);
      process.exitCode = 1;
    }
  }
}

/**
 * Runs `work` with a signal that Ctrl-C and SIGTERM abort (printing what happens next, e.g.
 * "reverting the fault"), then lets the signals go again: a command that must undo something on
 * the way out (a fault, a load) finishes that work instead of dying.
 */
export async function whileSignalsAbort<T>(
  what: string,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const abort = new AbortController();
  const interrupt = (signal: string) => () => {
    console.log(pc.yellow(`\n${signal}: ${what}...`));
    abort.abort();
  };
  const onInt = interrupt('interrupted');
  const onTerm = interrupt('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  try {
    return await work(abort.signal);
  } finally {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  }
}
