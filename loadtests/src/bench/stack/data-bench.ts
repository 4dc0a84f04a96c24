import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Table from 'cli-table3';
import { MongoClient, type Db } from 'mongodb';
import pc from 'picocolors';
import {
  buildFerretdb,
  doctorLine,
  ferretdbArgs,
  ferretdbBinary,
  ferretdbPatches,
  ferretdbStockBinary,
  HOT_COLLECTIONS,
  HOT_PATHS,
  type HotPath,
  runDoctor,
} from '@stackdrill/stack';
import { cpuTimeMs, OwnedProcesses, parseCli, UsageError } from '@stackdrill/toolkit';
import { median, percentile } from './stats.ts';

/** Cost growth allowed from the smallest to the largest size (issue 13's target). */
const GROWTH_TARGET = 2;
/** Per query and size: at most this many measured runs, and at most this long (after 3 unmeasured). */
const MAX_RUNS = 200;
const MAX_MS = 4000;
const MIN_RUNS = 5;
const INSERT_BATCH = 1000;

const USAGE = `pnpm bench:data [--sizes 1000,100000] [--builds stock,patched]
  The cost of every hot-path query (stack/src/components/mongo/hot-paths.ts: each query the
  services run per request or per event, with the indexes they create) as the data grows: for each
  size, a scratch FerretDB on loopback (started as the stack starts it) is loaded with that many documents per collection, then each
  query runs alone, one at a time (3 unmeasured, then up to ${MAX_RUNS} runs or ${MAX_MS / 1000} s): its median
  and p95 latency, and FerretDB's CPU time per query (from /proc).
  Both builds in the same run: FerretDB as released and as the doctor builds it with our patches
  (stack/src/doctor/patches). Target: every query's median, patched, within ${GROWTH_TARGET}x from the
  smallest size to the largest. Exits 1 if one is not.
  Needs no stack; FerretDB's data goes to a temporary directory, removed afterwards.`;

export interface DataFigure {
  path: string;
  build: string;
  size: number;
  runs: number;
  medianMs: number;
  p95Ms: number;
  /** FerretDB's CPU time per query. */
  cpuMs: number;
}

export type DataBenchEvent =
  | { kind: 'loading'; build: string; size: number }
  | { kind: 'loaded'; build: string; size: number; seconds: number }
  | { kind: 'figure'; figure: DataFigure };

/** A free loopback port: the scratch FerretDB must not collide with a running stack. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function runQuery(db: Db, path: HotPath, k: number, n: number): Promise<unknown> {
  const { filter, sort, limit, count } = path.query(k, n);
  const collection = db.collection(path.collection);
  if (count) return collection.countDocuments(filter);
  return collection
    .find(filter)
    .sort(sort ?? {})
    .limit(limit ?? 0)
    .toArray();
}

/** One build at one size: a scratch FerretDB, loaded, then every hot path measured in turn. */
async function measureBuild(
  owned: OwnedProcesses,
  build: { name: string; binary: string },
  size: number,
  onEvent: (event: DataBenchEvent) => void,
): Promise<DataFigure[]> {
  const dir = await mkdtemp(join(tmpdir(), 'stackdrill-bench-data-'));
  const port = await freePort();
  const ferretdb = await owned.start(
    build.binary,
    ferretdbArgs({ dataDir: dir, stateDir: dir, host: '127.0.0.1', port, logLevel: 'error' }),
  );
  const client = new MongoClient(`mongodb://127.0.0.1:${port}/?directConnection=true`, {
    serverSelectionTimeoutMS: 15_000,
  });
  try {
    await client.connect();
    const db = client.db('bench_data');
    onEvent({ kind: 'loading', build: build.name, size });
    const loadStart = performance.now();
    for (const { name, indexes, document } of HOT_COLLECTIONS) {
      // Indexes first, as the services create them at boot before any document arrives.
      if (indexes.length) await db.collection(name).createIndexes(indexes);
      for (let from = 0; from < size; from += INSERT_BATCH) {
        const docs = Array.from({ length: Math.min(INSERT_BATCH, size - from) }, (_, j) =>
          document(from + j, size),
        );
        await db.collection(name).insertMany(docs, { ordered: false });
      }
    }
    onEvent({ kind: 'loaded', build: build.name, size, seconds: (performance.now() - loadStart) / 1000 });

    const figures: DataFigure[] = [];
    for (const path of HOT_PATHS) {
      for (let k = 0; k < 3; k++) await runQuery(db, path, k, size);
      const latencies: number[] = [];
      const cpuBefore = (await cpuTimeMs(ferretdb.pid)) ?? 0;
      const started = performance.now();
      for (let k = 3; latencies.length < MAX_RUNS; k++) {
        const t = performance.now();
        await runQuery(db, path, k, size);
        latencies.push(performance.now() - t);
        if (latencies.length >= MIN_RUNS && performance.now() - started > MAX_MS) break;
      }
      const cpuMs = ((await cpuTimeMs(ferretdb.pid)) ?? 0) - cpuBefore;
      const figure: DataFigure = {
        path: path.name,
        build: build.name,
        size,
        runs: latencies.length,
        medianMs: median(latencies),
        p95Ms: percentile(latencies, 95),
        cpuMs: cpuMs / latencies.length,
      };
      figures.push(figure);
      onEvent({ kind: 'figure', figure });
    }
    return figures;
  } finally {
    await client.close();
    await ferretdb.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Every build at every size: the library call behind `pnpm bench:data`, reporting as it goes. */
export async function measureDataTier(
  builds: { name: string; binary: string }[],
  sizes: number[],
  onEvent: (event: DataBenchEvent) => void,
): Promise<DataFigure[]> {
  const owned = new OwnedProcesses();
  const killOwned = () => owned.killAll();
  process.once('exit', killOwned);
  try {
    const figures: DataFigure[] = [];
    for (const build of builds)
      for (const size of sizes) figures.push(...(await measureBuild(owned, build, size, onEvent)));
    return figures;
  } finally {
    process.off('exit', killOwned);
    owned.killAll();
  }
}

const ms = (value: number) =>
  value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);

/** The figures as a table, one row per hot path; returns the paths whose patched growth misses the target. */
export function printDataFigures(figures: DataFigure[], builds: string[], sizes: number[]): string[] {
  const smallest = sizes[0]!;
  const largest = sizes.at(-1)!;
  const at = (path: string, build: string, size: number) =>
    figures.find((f) => f.path === path && f.build === build && f.size === size);
  const table = new Table({
    head: [
      'hot path',
      ...builds.flatMap((b) => sizes.map((s) => `${b} ${s.toLocaleString('en-US')}\nmedian / CPU ms`)),
      `patched growth\n${smallest.toLocaleString('en-US')} → ${largest.toLocaleString('en-US')}`,
    ],
  });
  const missed: string[] = [];
  for (const path of HOT_PATHS) {
    const cells = builds.flatMap((b) =>
      sizes.map((s) => {
        const f = at(path.name, b, s);
        return f ? `${ms(f.medianMs)} / ${ms(f.cpuMs)}` : '-';
      }),
    );
    const small = at(path.name, 'patched', smallest);
    const large = at(path.name, 'patched', largest);
    const growth = small && large ? large.medianMs / small.medianMs : NaN;
    const ok = growth <= GROWTH_TARGET;
    if (!ok) missed.push(path.name);
    table.push([path.name, ...cells, (ok ? pc.green : pc.red)(`${growth.toFixed(2)}x`)]);
  }
  console.log(table.toString());
  return missed;
}

export async function benchData(argv: string[]): Promise<number> {
  const { values } = parseCli(argv, {
    sizes: { type: 'string', default: '1000,100000' },
    builds: { type: 'string', default: 'stock,patched' },
    help: { type: 'boolean', default: false },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const sizes = values.sizes.split(',').map(Number);
  if (sizes.length < 2 || sizes.some((s) => !Number.isInteger(s) || s < 100 || s > 1_000_000))
    throw new UsageError(
      `--sizes takes two or more document counts from 100 to 1000000, got "${values.sizes}"`,
    );
  sizes.sort((a, b) => a - b);
  const chosen = values.builds.split(',');
  if (!chosen.length || chosen.some((b) => b !== 'stock' && b !== 'patched'))
    throw new UsageError(`--builds takes stock, patched or both (comma-separated), got "${values.builds}"`);

  console.log('doctor: FerretDB (patched)...');
  await runDoctor({ onEvent: (e) => console.log(`  ${doctorLine(e)}`) });
  // The released build is only for this comparison: built once (a minute or two), then cached.
  const stock = ferretdbStockBinary();
  if (chosen.includes('stock') && !existsSync(stock)) {
    console.log(`building FerretDB as released (no patches) into ${stock}...`);
    await buildFerretdb([], stock);
  }
  console.log(
    `patches: ${ferretdbPatches()
      .map((p) => p.split('/').at(-1))
      .join(', ')}`,
  );

  const builds = [
    { name: 'stock', binary: stock },
    { name: 'patched', binary: ferretdbBinary() },
  ].filter((b) => chosen.includes(b.name));
  const figures = await measureDataTier(builds, sizes, (event) => {
    if (event.kind === 'loading')
      console.log(
        `${event.build} FerretDB, ${event.size.toLocaleString('en-US')} documents per collection: loading...`,
      );
    else if (event.kind === 'loaded') console.log(`  loaded in ${event.seconds.toFixed(1)} s; querying`);
    else
      console.log(
        `  ${event.figure.path}: ${ms(event.figure.medianMs)} ms median, ${ms(event.figure.p95Ms)} ms p95, ` +
          `${ms(event.figure.cpuMs)} ms FerretDB CPU (${event.figure.runs} runs)`,
      );
  });
  const missed = printDataFigures(
    figures,
    builds.map((b) => b.name),
    sizes,
  );
  if (missed.length) {
    console.log(pc.red(`target missed (median within ${GROWTH_TARGET}x): ${missed.join('; ')}`));
    return 1;
  }
  console.log(
    pc.green(`every hot path within ${GROWTH_TARGET}x from ${sizes[0]} to ${sizes.at(-1)} documents`),
  );
  return 0;
}
