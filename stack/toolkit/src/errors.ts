/**
 * The one error type of the harness. It names what failed, why, where to look and what to do, so
 * the CLI can print one paragraph a person can act on.
 */
export interface StackErrorDetails {
  /** The component or step that failed, e.g. `kafka`, `redis-1`, `doctor`. */
  component: string;
  /** What happened, in a sentence. */
  message: string;
  /** What the user should do next. */
  hint?: string;
  /** The log file that has the details. */
  logFile?: string;
  /** The last lines of that log, when they help. */
  logTail?: string;
  cause?: unknown;
}

export class StackError extends Error {
  readonly component: string;
  readonly hint: string | undefined;
  readonly logFile: string | undefined;
  readonly logTail: string | undefined;

  constructor(details: StackErrorDetails) {
    super(`${details.component}: ${details.message}`, { cause: details.cause });
    this.name = 'StackError';
    this.component = details.component;
    this.hint = details.hint;
    this.logFile = details.logFile;
    this.logTail = details.logTail;
  }

  /** The paragraph the CLI prints. */
  describe(): string {
    const lines = [this.message];
    if (this.logFile) lines.push(`  log: ${this.logFile}`);
    if (this.logTail) lines.push(this.logTail.replace(/^/gm, '  | '));
    if (this.hint) lines.push(`  what to do: ${this.hint}`);
    return lines.join('\n');
  }
}

/** Usage errors (unknown flag, provider, component): the CLI prints them and exits 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
