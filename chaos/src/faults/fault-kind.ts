import type { ComponentHandle, ComponentName, Provider } from '@stackdrill/stack';
import type { z } from 'zod';

export type FaultLayer = 'process' | 'network' | 'application';

/** One fault on one member, as the journal keeps it: enough to undo it from another process. */
export interface InjectedFault {
  id: string;
  fault: string;
  component: ComponentName;
  member: string;
  params: Record<string, unknown>;
  /** When it was put in place (ISO 8601). */
  injectedAt: string;
  /** The PID of the run that holds it: a journal entry whose owner is gone is a leftover. */
  owner: number;
}

/**
 * A kind of fault: how to put it on a member and how to take it off again. `revert` must be safe
 * to call more than once and on a member the fault never reached (a run can die between writing
 * its journal entry and injecting), so every revert is "make it as it was", never "undo a step".
 */
export interface FaultKind<P extends Record<string, unknown> = Record<string, unknown>> {
  readonly name: string;
  readonly layer: FaultLayer;
  /** One line for `pnpm chaos list` and the README. */
  readonly summary: string;
  /** Its magnitude, validated before anything is touched (`--set key=value` on the CLI). */
  readonly params: z.ZodType<P>;
  /** The components it may act on. */
  readonly components: readonly ComponentName[];
  /** Which members it acts on, when not every member of its components (for `pnpm chaos list`). */
  readonly appliesTo?: string;
  /** Members of those components it may not act on (e.g. the mail sink has no fault switches). */
  readonly excludesMember?: (member: string) => boolean;
  /** Why it cannot act on this stack at all (e.g. no fault proxy), checked before anything is touched. */
  readonly unavailable?: (provider: Provider) => string | undefined;
  /** True when the fault is over once injected (a restart): it holds for no duration. */
  readonly instant?: boolean;
  inject(provider: Provider, handle: ComponentHandle, member: string, params: P): Promise<void>;
  revert(provider: Provider, handle: ComponentHandle, member: string, params: P): Promise<void>;
}
