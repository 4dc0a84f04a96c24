import type { Environment } from './topology.ts';

/**
 * Disaster-recovery objectives: the architecture's (RTO < 1 h, RPO < 15 min, quarterly drills) and
 * the tighter targets each drill holds this stack to. The drills print both; `pnpm drill all`
 * judges by the drill's own.
 */
export const DR_OBJECTIVES = { rtoS: 3600, rpoS: 900 } as const;

/** How often each datastore is backed up. Kafka has none: its DR is replication (3 brokers, RF 3). */
export interface BackupPolicy {
  /** A full MongoDB backup this often. */
  fullEveryS: number;
  /** A MongoDB incremental (what changed since the previous backup) this often: the RPO's bound. */
  incrementalEveryS: number;
  /** A Redis snapshot (its RDB) this often. */
  redisSnapshotEveryS: number;
  /** Point-in-time recovery is promised (UAT, PROD). */
  pointInTime: boolean;
}

const HOUR = 3600;
const DAY = 24 * HOUR;

/**
 * Backups per environment, from the architecture document: "MongoDB: daily full backups, hourly
 * incremental; Redis: daily snapshots", DEV weekly, UAT daily with point-in-time recovery, PROD
 * "continuous with point-in-time recovery" and RPO < 15 min (read here as an incremental every
 * 5 min, a third of the RPO). LOCAL is the drill's: the same schedule with hours made seconds, so
 * `pnpm drill backup-restore` takes a full backup and incrementals within a minute.
 */
export const BACKUP_POLICIES: Record<Environment, BackupPolicy> = {
  LOCAL: { fullEveryS: 60, incrementalEveryS: 5, redisSnapshotEveryS: 5, pointInTime: false },
  DEV: { fullEveryS: 7 * DAY, incrementalEveryS: HOUR, redisSnapshotEveryS: DAY, pointInTime: false },
  QAT: { fullEveryS: DAY, incrementalEveryS: HOUR, redisSnapshotEveryS: DAY, pointInTime: false },
  UAT: { fullEveryS: DAY, incrementalEveryS: HOUR, redisSnapshotEveryS: DAY, pointInTime: true },
  PROD: { fullEveryS: DAY, incrementalEveryS: 5 * 60, redisSnapshotEveryS: DAY, pointInTime: true },
};

/**
 * The restore procedure. Kafka is not backed up (its DR is replication), so a restored region
 * starts with empty topics: the outboxes sent within `outboxReplayS` before the backup are
 * published again (consumers skip what they handled). The RPO objective bounds how far back.
 */
export const RESTORE_PROCEDURE = { outboxReplayS: DR_OBJECTIVES.rpoS } as const;

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
  'backup-restore': {
    /** From the source instance's loss to the restored one serving its load within the SLOs. */
    rtoS: 300,
    /** Incrementals after the full backup before the loss (RPO ≤ the policy's incremental interval). */
    incrementals: 2,
  },
} as const;

export type DrillName = keyof typeof DRILL_TARGETS;
