/**
 * SQLite reads the stand-in's pages through a memory map of up to 256 MiB instead of copying each
 * into every connection's own small page cache: at 100,000 documents a collection no longer fits
 * that cache, and a customer's page of orders cost 2.1x what it did at 1,000 (1.4x mapped; measured
 * with `pnpm bench:data`). The mapping is the OS page cache, shared by every connection.
 */
const SQLITE_PARAMS = '?_pragma=mmap_size(268435456)';

/** FerretDB's command line on SQLite: the native provider's member and `pnpm bench:data`'s scratch one. */
export function ferretdbArgs(options: {
  dataDir: string;
  stateDir: string;
  host: string;
  port: number;
  replicaSet?: string;
  logLevel: 'error' | 'warn';
}): string[] {
  return [
    '--handler=sqlite',
    `--sqlite-url=file:${options.dataDir}/${SQLITE_PARAMS}`,
    `--listen-addr=${options.host}:${options.port}`,
    `--state-dir=${options.stateDir}`,
    ...(options.replicaSet ? [`--repl-set-name=${options.replicaSet}`] : []),
    '--debug-addr=-',
    '--telemetry=disable',
    `--log-level=${options.logLevel}`,
  ];
}
