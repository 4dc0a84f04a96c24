import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** Runs a command and returns its trimmed output (stdout, or stderr when stdout is empty). */
export async function output(
  command: string,
  args: string[],
  timeoutMs = 15_000,
  cwd?: string,
): Promise<string> {
  const { stdout, stderr } = await execFileAsync(command, args, {
    timeout: timeoutMs,
    maxBuffer: 16 * 1024 * 1024,
    ...(cwd ? { cwd } : {}),
  });
  return (stdout.trim() || stderr.trim()).trim();
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
