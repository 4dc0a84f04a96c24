import { UsageError } from '@stackdrill/toolkit';
import type { FaultKind } from './fault-kind.ts';
import { consumerStall, paymentFailures, routeErrors, routeLatency } from './app-faults.ts';
import { bandwidth, cut, latency, partition, reset, timeout } from './network-faults.ts';
import { freeze, kill, restart } from './process-faults.ts';

/** Every fault `pnpm chaos` and the experiments can name, in the order `pnpm chaos list` shows them. */
export const FAULTS: readonly FaultKind[] = [
  kill,
  freeze,
  restart,
  latency,
  bandwidth,
  timeout,
  reset,
  cut,
  partition,
  routeLatency,
  routeErrors,
  consumerStall,
  paymentFailures,
] as FaultKind[];

export function faultKind(name: string): FaultKind {
  const kind = FAULTS.find((f) => f.name === name);
  if (kind) return kind;
  throw new UsageError(
    `unknown fault "${name}"; faults: ${FAULTS.map((f) => f.name).join(', ')} (\`pnpm chaos list\`)`,
  );
}
