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
