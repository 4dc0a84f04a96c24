import { localInstanceOf, type SideRun } from '@stackdrill/loadtests';
import { openProvider, type Provider } from '@stackdrill/stack';
import { UsageError } from '@stackdrill/toolkit';
import { revertLeftovers } from '../run-fault.ts';
import { loadExperiment } from './load-experiment.ts';
import { planMethod, runMethod } from './run-method.ts';
import type { Experiment } from './schema.ts';

/**
 * An experiment's method beside `pnpm load` (`--chaos`): the load judges the SLOs itself, so only
 * the method runs (its faults, pauses and probes, a `slo` probe answered by the load's own
 * verdicts), and what it did comes back as marks on the run's timeline. The target must be a local
 * instance's gateway: that is the stack the faults act on.
 */
export function chaosBesideLoad(name: string): SideRun {
  let ready: { provider: Provider; experiment: Experiment } | undefined;
  return {
    async check(target) {
      const { experiment } = await loadExperiment(name);
      const instance = localInstanceOf(target);
      if (!instance)
        throw new UsageError(
          `--chaos acts on a local instance's stack; ${target} is not a local instance's gateway`,
        );
      const provider = await openProvider(instance);
      await planMethod(provider, experiment);
      ready = { provider, experiment };
    },
    async run(_target, signal, note) {
      if (!ready) throw new Error('chaosBesideLoad: check() first');
      const { provider, experiment } = ready;
      note(`${experiment.title}: ${experiment.method.length} step(s)`);
      try {
        const outcome = await runMethod(provider, experiment, {
          signal,
          probe: async (p) => {
            if (p.provider.probe === 'slo')
              return { ok: true, detail: 'judged by the load itself at its end' };
            const sick = (await provider.status()).filter((s) => !s.healthy).map((s) => s.component);
            return {
              ok: sick.length === 0,
              detail: sick.length ? `unhealthy: ${sick.join(', ')}` : 'healthy',
            };
          },
          onEvent: (event) => {
            if (
              event.type === 'fault' &&
              (event.event.type === 'injected' || event.event.type === 'reverted')
            )
              note(
                `${event.event.fault} on ${event.event.member}: ${event.event.type === 'injected' ? 'in place' : 'reverted'}`,
              );
          },
        });
        return outcome.marks;
      } finally {
        await revertLeftovers(provider, { all: true });
      }
    },
  };
}
