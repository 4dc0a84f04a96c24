import type { ComponentName, Provider } from '@stackdrill/stack';
import { errorMessage, UsageError } from '@stackdrill/toolkit';
import { faultKind } from './faults/catalogue.ts';
import type { FaultKind, InjectedFault } from './faults/fault-kind.ts';
import { FaultJournal } from './journal.ts';
import { sleep } from './sleep.ts';
import { parseSelector, resolveTargets, type Target } from './targets.ts';

export interface FaultRequest {
  /** A fault kind's name (`pnpm chaos list`). */
  fault: string;
  /** A selector (targets.ts): `redis:master`, `kafka-0`, `app:order`, ... */
  target: string;
  /** How long it stays in place before the revert (ignored by instant faults such as restart). */
  durationS: number;
  /** Its magnitude, as given (`--set key=value`): validated by the kind's schema. */
  params?: Record<string, unknown>;
}

/** What a run reports as it goes; the CLI prints them, experiments and drills put them on a timeline. */
export type FaultEvent =
  | { type: 'leftover-reverted'; entry: InjectedFault }
  | { type: 'leftover-failed'; entry: InjectedFault; error: string }
  | { type: 'injected'; fault: string; member: string; at: number }
  | { type: 'holding'; remainingS: number }
  | { type: 'reverted'; fault: string; member: string; at: number }
  | { type: 'revert-failed'; fault: string; member: string; error: string }
  | { type: 'recovered'; components: ComponentName[]; at: number; ms: number }
  | { type: 'still-broken'; component: ComponentName; problems: string[] };

export interface FaultRun {
  fault: string;
  members: string[];
  injectedAt: number;
  revertedAt: number;
  /** From the revert to every touched component healthy again (undefined: it was not, within the bound). */
  recoveryMs: number | undefined;
  /** Cut short by the signal (Ctrl-C, SIGTERM): the fault was still reverted. */
  interrupted: boolean;
  /** Components still unhealthy after the bound, each with what its probe says. */
  broken: { component: ComponentName; problems: string[] }[];
}

export interface RunFaultOptions {
  signal?: AbortSignal;
  onEvent?: (event: FaultEvent) => void;
  /** How long to wait after the revert for the touched components to be healthy (default 120 s). */
  recoveryBoundMs?: number;
}

/** A fault kind, its parameters validated, and its members on this stack now; a UsageError before anything is touched. */
export async function planFault(
  provider: Provider,
  request: FaultRequest,
): Promise<{ kind: FaultKind; params: Record<string, unknown>; targets: Target[] }> {
  const kind = faultKind(request.fault);
  const checked = kind.params.safeParse(request.params ?? {});
  if (!checked.success) {
    const issues = checked.error.issues.map((i) => `${i.path.join('.') || '(parameters)'}: ${i.message}`);
    throw new UsageError(`fault "${kind.name}": ${issues.join('; ')}`);
  }
  if (!Number.isFinite(request.durationS) || request.durationS < 0 || request.durationS > 3600)
    throw new UsageError(`a fault's duration is 0 s to 1 h, got ${request.durationS} s`);
  const unavailable = kind.unavailable?.(provider);
  if (unavailable) throw new UsageError(`fault "${kind.name}": ${unavailable}`);
  const targets = await resolveTargets(provider, parseSelector(request.target), request.target);
  for (const { member } of targets) {
    if (!kind.components.includes(member.component) || kind.excludesMember?.(member.name)) {
      throw new UsageError(
        `fault "${kind.name}" does not apply to ${member.name} (${member.component}); it acts on ${kind.appliesTo ?? kind.components.join(', ')}`,
      );
    }
  }
  return { kind, params: checked.data, targets };
}

/**
 * Undoes what runs that are gone left in place (every entry, with `all`, e.g. `pnpm chaos revert`).
 * Returns what it could not undo.
 */
export async function revertLeftovers(
  provider: Provider,
  options: { all?: boolean; onEvent?: (event: FaultEvent) => void } = {},
): Promise<InjectedFault[]> {
  const journal = new FaultJournal(provider.home);
  const entries = options.all ? await journal.entries() : await journal.leftovers();
  const failed: InjectedFault[] = [];
  for (const entry of entries.reverse()) {
    try {
      const kind = faultKind(entry.fault);
      await kind.revert(provider, provider.handle(entry.component), entry.member, entry.params);
      await journal.remove(entry.id);
      options.onEvent?.({ type: 'leftover-reverted', entry });
    } catch (error) {
      failed.push(entry);
      options.onEvent?.({ type: 'leftover-failed', entry, error: errorMessage(error) });
    }
  }
  return failed;
}

/**
 * Puts one fault on every member the target names, holds it for the duration, and reverts it: in
 * `finally`, so an error, an abort (Ctrl-C, SIGTERM: the caller aborts the signal) or a failed
 * injection still reverts whatever was recorded. Each fault is written to the instance's journal
 * before it is injected, so a run that is killed outright is reverted by the next run. Afterwards,
 * waits for the touched components to be healthy and says how long that took, or what is still broken.
 */
export async function runFault(
  provider: Provider,
  request: FaultRequest,
  options: RunFaultOptions = {},
): Promise<FaultRun> {
  const emit = options.onEvent ?? (() => {});
  const { kind, params, targets } = await planFault(provider, request);
  await revertLeftovers(provider, { onEvent: emit });

  const journal = new FaultJournal(provider.home);
  const held: { entry: InjectedFault; target: Target }[] = [];
  let injectedAt = Date.now();
  let revertedAt = injectedAt;
  let interrupted = false;
  const revertErrors: string[] = [];
  try {
    for (const target of targets) {
      if (options.signal?.aborted) break;
      const entry = await journal.record({
        fault: kind.name,
        component: target.member.component,
        member: target.member.name,
        params,
      });
      held.push({ entry, target });
      // When it began: a restart is "in place" only once it is over, but it began here.
      injectedAt = Date.now();
      await kind.inject(provider, target.handle, target.member.name, params);
      emit({ type: 'injected', fault: kind.name, member: target.member.name, at: injectedAt });
    }
    if (!kind.instant) await hold(request.durationS, options.signal, emit);
  } finally {
    interrupted = options.signal?.aborted ?? false;
    for (const { entry, target } of held.reverse()) {
      try {
        await kind.revert(provider, target.handle, entry.member, params);
        await journal.remove(entry.id);
        emit({ type: 'reverted', fault: kind.name, member: entry.member, at: Date.now() });
      } catch (error) {
        revertErrors.push(`${entry.member}: ${errorMessage(error)}`);
        emit({ type: 'revert-failed', fault: kind.name, member: entry.member, error: errorMessage(error) });
      }
    }
    revertedAt = Date.now();
  }
  // A network fault is on the app's path: its clients must have recovered too, not only the member.
  const components = [
    ...new Set([
      ...targets.map((t) => t.member.component),
      ...(kind.layer === 'network' ? (['app'] as const) : []),
    ]),
  ];
  const recovery = await waitHealthy(provider, components, options.recoveryBoundMs ?? 120_000);
  if (recovery.broken.length === 0)
    emit({ type: 'recovered', components, at: Date.now(), ms: Date.now() - revertedAt });
  for (const b of recovery.broken) emit({ type: 'still-broken', ...b });
  if (revertErrors.length)
    recovery.broken.push({
      component: targets[0]!.member.component,
      problems: revertErrors.map((e) => `revert failed: ${e}`),
    });
  return {
    fault: kind.name,
    members: targets.map((t) => t.member.name),
    injectedAt,
    revertedAt,
    recoveryMs: recovery.broken.length === 0 ? Date.now() - revertedAt : undefined,
    interrupted,
    broken: recovery.broken,
  };
}

/** Waits out the duration, a second at a time (so progress shows), or until the signal aborts. */
async function hold(
  seconds: number,
  signal: AbortSignal | undefined,
  emit: (e: FaultEvent) => void,
): Promise<void> {
  const end = Date.now() + seconds * 1000;
  while (!signal?.aborted && Date.now() < end) {
    emit({ type: 'holding', remainingS: Math.ceil((end - Date.now()) / 1000) });
    await sleep(Math.min(1000, end - Date.now()) / 1000, signal);
  }
}

/** Polls the components' probes until all are healthy or the bound passes; what is still broken then. */
export async function waitHealthy(
  provider: Provider,
  components: ComponentName[],
  boundMs: number,
): Promise<{ broken: { component: ComponentName; problems: string[] }[] }> {
  const deadline = Date.now() + boundMs;
  for (;;) {
    const statuses = await Promise.all(components.map((c) => provider.handle(c).status()));
    const broken = statuses
      .filter((s) => !s.healthy)
      .map((s) => ({
        component: s.component,
        problems: [
          ...s.problems,
          ...s.members
            .filter((m) => !m.healthy)
            .map((m) => `${m.member}: ${m.role}${m.detail ? ` (${m.detail})` : ''}`),
        ],
      }));
    if (broken.length === 0 || Date.now() >= deadline) return { broken };
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
