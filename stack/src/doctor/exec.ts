import { StackError, TOOLS } from '@stackdrill/toolkit';

/**
 * Runs a command (through the one tool runner) and returns its trimmed output (stdout, or stderr
 * when stdout is empty). A failure or a timeout throws with the command and its last output lines.
 */
export async function output(
  command: string,
  args: string[],
  timeoutMs = 15_000,
  cwd?: string,
): Promise<string> {
  try {
    const { stdout, stderr } = await TOOLS.run(command, args, {
      timeoutMs,
      what: command,
      ...(cwd ? { cwd } : {}),
    });
    return (stdout.trim() || stderr.trim()).trim();
  } catch (error) {
    if (!(error instanceof StackError)) throw error;
    throw new Error([error.message, error.logTail].filter(Boolean).join('\n'), { cause: error });
  }
}

/** Like `output`, but undefined when the command is missing or fails. */
export async function tryOutput(command: string, args: string[]): Promise<string | undefined> {
  try {
    return await output(command, args);
  } catch {
    return undefined;
  }
}

/** Compares dotted versions numerically: negative when a < b. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const diff = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}
