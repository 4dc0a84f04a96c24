import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Provider } from '@stackdrill/stack';
import { StackError } from '@stackdrill/toolkit';
import { backupMongo, type CollectionFigures, type DocumentIndex } from './mongo-backup.ts';
import { snapshotRedis } from './redis-snapshot.ts';

export const BACKUP_FORMAT = 'stackdrill-backup/1';

/** `backup.json` in each backup's directory: what it holds and what a restore must show. */
export interface BackupManifest {
  format: typeof BACKUP_FORMAT;
  kind: 'full' | 'incremental';
  /** The directory's name in the set (`00-full`, `01-incremental`, …). */
  name: string;
  /** The backup this one builds on (incrementals). */
  base?: string;
  instance: string;
  /** Every write acknowledged before this moment is in the backup (ISO time). */
  startedAt: string;
  finishedAt: string;
  mongo: { tool: 'mongodump' | 'stackdrill'; collections: Record<string, CollectionFigures> };
  /** The RDB, relative to the backup's directory, and where it came from. */
  redis: { file: string; bytes: number; master: string };
}

/**
 * A set of backups of one instance in one directory, taken through the provider's endpoints and
 * handles: a full backup, then incrementals on top of it. MongoDB in mongodump's layout
 * (`mongo/`), Redis as its RDB (`redis/dump.rdb`, a snapshot each time: RDBs are always whole),
 * each with its `backup.json`. Kafka is not backed up: the architecture's DR for it is replication.
 */
export class BackupSet {
  readonly backups: BackupManifest[] = [];
  private index: DocumentIndex | undefined;

  constructor(
    readonly root: string,
    private readonly provider: Provider,
  ) {}

  /** Takes the next backup: full when there is none yet or when asked, else incremental. */
  async take(kind: 'full' | 'incremental'): Promise<BackupManifest> {
    const full = kind === 'full' || !this.index;
    const base = this.backups.at(-1)?.name;
    const name = `${String(this.backups.length).padStart(2, '0')}-${full ? 'full' : 'incremental'}`;
    const dir = join(this.root, name);
    await mkdir(join(dir, 'redis'), { recursive: true });
    const startedAt = new Date().toISOString();
    const mongo = await backupMongo(
      this.provider.endpoints('host').mongo.uri,
      join(dir, 'mongo'),
      full ? undefined : this.index,
    );
    const master = (await this.provider.handle('redis').members({ role: 'master' }))[0];
    if (!master)
      throw new StackError({
        component: 'redis',
        message: `no Redis master to snapshot on the ${this.provider.instance} instance`,
        hint: `\`pnpm stack:status --instance ${this.provider.instance}\` says why`,
      });
    const bytes = await snapshotRedis(master.endpoint, join(dir, 'redis', 'dump.rdb'));
    const manifest: BackupManifest = {
      format: BACKUP_FORMAT,
      kind: full ? 'full' : 'incremental',
      name,
      ...(full || !base ? {} : { base }),
      instance: this.provider.instance,
      startedAt,
      finishedAt: new Date().toISOString(),
      mongo: { tool: mongo.tool, collections: mongo.collections },
      redis: {
        file: join('redis', 'dump.rdb'),
        bytes,
        master: `${master.endpoint.host}:${master.endpoint.port}`,
      },
    };
    await writeFile(join(dir, 'backup.json'), JSON.stringify(manifest, null, 2));
    // The next incremental's reference; kept on disk so another process can take it.
    await writeFile(join(dir, 'mongo-index.json'), JSON.stringify(mongo.index));
    this.index = mongo.index;
    this.backups.push(manifest);
    return manifest;
  }

  /** The newest backup, or undefined before the first. */
  latest(): BackupManifest | undefined {
    return this.backups.at(-1);
  }

  /** MongoDB's dump directories to apply in order: the last full backup, then its incrementals. */
  mongoChain(): string[] {
    const lastFull = this.backups.findLastIndex((b) => b.kind === 'full');
    if (lastFull < 0) return [];
    return this.backups.slice(lastFull).map((b) => join(this.root, b.name, 'mongo'));
  }

  /** The newest Redis snapshot. */
  redisRdb(): string | undefined {
    const newest = this.latest();
    return newest && join(this.root, newest.name, newest.redis.file);
  }
}
