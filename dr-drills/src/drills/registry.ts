import { UsageError } from '@stackdrill/toolkit';
import type { Drill } from '../drill.ts';
import { backupRestore } from './backup-restore.ts';
import { kafkaLeaderLoss } from './kafka-leader-loss.ts';
import { mongoCrashRestart, mongoPrimaryFailover } from './mongo.ts';
import { redisMasterFailover } from './redis-master-failover.ts';
import { serviceCrash } from './service-crash.ts';
import { zoneLoss } from './zone-loss.ts';

/** Every drill, in the order `pnpm drill all` runs them; each made afresh per run (drills keep state). */
export const DRILLS: Record<string, () => Drill> = {
  'redis-master-failover': redisMasterFailover,
  'kafka-leader-loss': kafkaLeaderLoss,
  'mongo-primary-failover': mongoPrimaryFailover,
  'mongo-crash-restart': mongoCrashRestart,
  'service-crash': serviceCrash,
  'zone-loss': zoneLoss,
  'backup-restore': () => backupRestore(),
};

export function drillNamed(name: string): Drill {
  const make = DRILLS[name];
  if (!make)
    throw new UsageError(`unknown drill "${name}"; drills: ${Object.keys(DRILLS).join(', ')} (or all)`);
  return make();
}
