/**
 * Disaster-recovery objectives: the architecture's (RTO < 1 h, RPO < 15 min, quarterly drills) and
 * the tighter targets each drill holds this stack to. The drills print both; `pnpm drill all`
 * judges by the drill's own.
 */
export const DR_OBJECTIVES = { rtoS: 3600, rpoS: 900 } as const;

/** What each drill must show, on the native stack of this machine. */
export const DRILL_TARGETS = {
  'redis-master-failover': {
    /** From the master's SIGKILL to the canary's first acknowledged write through Sentinel. */
    rtoS: 5,
  },
  'kafka-leader-loss': {
    /** From the leader's SIGKILL to the canary's produce p95 back under `produceP95Ms`. */
    rtoS: 10,
    produceP95Ms: 500,
    /** After the faults: every consumer group's lag on the stack's topics back to 0 within this. */
    lagZeroWithinS: 60,
  },
  'mongo-crash-restart': {
    /** From the SIGKILL to the canary's first acknowledged write after the restart. */
    rtoS: 10,
  },
  'mongo-primary-failover': {
    /** From the primary's SIGKILL to a new primary's first `w: majority` acknowledgement. */
    rtoS: 12,
  },
  'service-crash': {
    /** From each service's restart to the load answering without errors again. */
    rtoS: 5,
  },
} as const;

export type DrillName = keyof typeof DRILL_TARGETS;
