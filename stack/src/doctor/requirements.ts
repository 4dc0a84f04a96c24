import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { cp, mkdir, readdir, rm, writeFile, chmod } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheDir } from '../paths.ts';
import { VERSIONS } from '@stackdrill/facts';
import { pathExists, TOOLS } from '@stackdrill/toolkit';
import { compareVersions, output, tryOutput } from './exec.ts';

/** One thing the native provider needs, how to tell it is there, and how to get it. */
export interface Requirement {
  name: string;
  /** What it is for, shown when it is missing. */
  purpose: string;
  /** `undefined` means present; otherwise why it is missing. */
  check(): Promise<{ found: string } | { missing: string }>;
  /** Debian packages that provide it (installed together with apt-get). */
  debianPackages?: string[];
  /** An install step of our own (Maven, Go), run after the Debian packages. */
  install?(): Promise<void>;
  /** The commands a person runs when we cannot install it ourselves. */
  manual: string;
  /** Needed only in some set-ups (e.g. Go only when FerretDB must be built). */
  neededWhen?(): Promise<boolean>;
}

export const kafkaHome = () => join(cacheDir(), `kafka-${VERSIONS.kafka}`);
export const kafkaLib = () => join(kafkaHome(), 'lib');

/**
 * Our patches to FerretDB (`patches/ferretdb-*.patch`, each with its reason), applied to its source
 * before it is built. The binary's directory is named by their digest too, so changing a patch
 * makes the doctor build FerretDB again.
 */
const FERRETDB_PATCHES_DIR = fileURLToPath(new URL('./patches/', import.meta.url));
export const ferretdbPatches = (): string[] =>
  readdirSync(FERRETDB_PATCHES_DIR)
    .filter((name) => name.startsWith('ferretdb-') && name.endsWith('.patch'))
    .sort()
    .map((name) => join(FERRETDB_PATCHES_DIR, name));
const ferretdbPatchDigest = () => {
  const hash = createHash('sha256');
  for (const patch of ferretdbPatches()) hash.update(readFileSync(patch));
  return hash.digest('hex').slice(0, 8);
};
export const ferretdbBinary = () =>
  join(cacheDir(), `ferretdb-${VERSIONS.ferretdb}-patched-${ferretdbPatchDigest()}`, 'ferretdb');
/** FerretDB as released, without our patches: what `pnpm bench:data` measures them against. */
export const ferretdbStockBinary = () => join(cacheDir(), `ferretdb-${VERSIONS.ferretdb}-stock`, 'ferretdb');

/**
 * Builds FerretDB from its released source with the given patches into `binary`. FerretDB's own
 * command refuses to start unless build/version/version.txt exists (FerretDB issue 2982), so the
 * module is copied out of the read-only module cache, the file written, the patches applied
 * (`git apply`, which needs no repository), and built.
 */
export async function buildFerretdb(patches: string[], binary: string): Promise<void> {
  const module = `github.com/FerretDB/FerretDB@${VERSIONS.ferretdb}`;
  await mkdir(cacheDir(), { recursive: true });
  // Outside any module, so the download does not touch a go.mod of ours.
  const info = JSON.parse(
    await output('go', ['mod', 'download', '-json', module], 10 * 60_000, cacheDir()),
  ) as {
    Dir: string;
  };
  const buildDir = join(dirname(binary), 'src');
  await rm(buildDir, { recursive: true, force: true });
  await cp(info.Dir, buildDir, { recursive: true });
  await chmod(buildDir, 0o755);
  await output('chmod', ['-R', 'u+w', buildDir]);
  await writeFile(join(buildDir, 'build', 'version', 'version.txt'), `${VERSIONS.ferretdb}\n`);
  for (const patch of patches) {
    await output('git', ['apply', '--verbose', patch], 60_000, buildDir).catch((error: unknown) => {
      throw new Error(
        `${patch} does not apply to FerretDB ${VERSIONS.ferretdb}: ${(error as Error).message}`,
      );
    });
  }
  await output(
    'go',
    [
      'build',
      '-trimpath',
      '-tags',
      'ferretdb_no_postgresql,ferretdb_no_hana',
      '-o',
      binary,
      './cmd/ferretdb',
    ],
    20 * 60_000,
    buildDir,
  ).catch((error: unknown) => {
    throw new Error(`go build in ${buildDir} failed: ${(error as Error).message}`);
  });
  await rm(buildDir, { recursive: true, force: true });
}

/** Toxiproxy's server, built from its Go module into the cache: the fault proxy of every native stack. */
export const toxiproxyBinary = () => join(cacheDir(), `toxiproxy-${VERSIONS.toxiproxy}`, 'toxiproxy-server');

async function buildToxiproxy(): Promise<void> {
  const dir = dirname(toxiproxyBinary());
  const work = join(dir, 'gobin');
  await mkdir(work, { recursive: true });
  await TOOLS.run(
    'go',
    [
      'install',
      '-trimpath',
      // Its version is a link-time variable ("git" otherwise).
      `-ldflags=-X github.com/Shopify/toxiproxy/v2.Version=${VERSIONS.toxiproxy}`,
      `github.com/Shopify/toxiproxy/v2/cmd/server@${VERSIONS.toxiproxy}`,
    ],
    {
      timeoutMs: 10 * 60_000,
      what: 'building Toxiproxy',
      env: { ...process.env, GOBIN: work },
    },
  );
  // In place at once: an interrupted build leaves no binary that looks complete.
  await cp(join(work, 'server'), toxiproxyBinary());
  await chmod(toxiproxyBinary(), 0o755);
  await rm(work, { recursive: true, force: true });
}

/** A real mongod: MONGOD_BIN, else `mongod` on PATH. */
export async function findMongod(): Promise<string | undefined> {
  const candidate = process.env.MONGOD_BIN ?? 'mongod';
  return (await tryOutput(candidate, ['--version'])) ? candidate : undefined;
}

const redis: Requirement = {
  name: 'redis-server',
  purpose: 'Redis data nodes and Sentinels',
  async check() {
    const version = await tryOutput('redis-server', ['--version']);
    const match = version && /v=(\d+\.\d+\.\d+)/.exec(version);
    if (!match) return { missing: 'redis-server is not on PATH' };
    if (compareVersions(match[1]!, '6.2') < 0)
      return { missing: `redis-server ${match[1]} is older than 6.2` };
    return { found: `redis-server ${match[1]}` };
  },
  debianPackages: ['redis-server'],
  manual: 'sudo apt-get install -y redis-server   (macOS: brew install redis)',
};

const java: Requirement = {
  name: 'java',
  purpose: `the Kafka ${VERSIONS.kafka} brokers`,
  async check() {
    const version = await tryOutput('java', ['-version']);
    const match = version && /version "(\d+)/.exec(version);
    if (!match) return { missing: 'java is not on PATH' };
    if (Number(match[1]) < VERSIONS.javaMinimum)
      return { missing: `java ${match[1]} is older than ${VERSIONS.javaMinimum}` };
    return { found: `java ${match[1]}` };
  },
  debianPackages: ['openjdk-17-jre-headless'],
  manual: 'sudo apt-get install -y openjdk-17-jre-headless   (or any Java 17+ on PATH)',
};

const kafkaJarsPresent = async () =>
  (await pathExists(join(kafkaLib(), `kafka_2.13-${VERSIONS.kafka}.jar`))) &&
  (await pathExists(join(kafkaHome(), '.complete')));

const maven: Requirement = {
  name: 'maven',
  purpose: 'resolving the Kafka jars from Maven Central (once)',
  async check() {
    const version = await tryOutput('mvn', ['-v']);
    const match = version && /Apache Maven (\S+)/.exec(version);
    return match ? { found: `maven ${match[1]}` } : { missing: 'mvn is not on PATH' };
  },
  neededWhen: async () => !(await kafkaJarsPresent()),
  debianPackages: ['maven'],
  manual: 'sudo apt-get install -y maven',
};

/** The pom that pulls the broker's runtime jars and its logging binding; written into the cache, not the repo. */
function kafkaPom(): string {
  const dep = (g: string, a: string, v: string) =>
    `<dependency><groupId>${g}</groupId><artifactId>${a}</artifactId><version>${v}</version></dependency>`;
  return `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>dev.stackdrill</groupId><artifactId>kafka-runtime</artifactId><version>${VERSIONS.kafka}</version>
  <dependencies>
    ${dep('org.apache.kafka', 'kafka_2.13', VERSIONS.kafka)}
    ${dep('org.slf4j', 'slf4j-reload4j', VERSIONS.slf4jReload4j)}
  </dependencies>
</project>
`;
}

const kafkaJars: Requirement = {
  name: 'kafka jars',
  purpose: `Apache Kafka ${VERSIONS.kafka} broker runtime`,
  async check() {
    if (!(await kafkaJarsPresent())) return { missing: `not in ${kafkaLib()}` };
    return { found: `kafka ${VERSIONS.kafka} (${(await readdir(kafkaLib())).length} jars in ${kafkaLib()})` };
  },
  async install() {
    await mkdir(kafkaHome(), { recursive: true });
    await writeFile(join(kafkaHome(), 'pom.xml'), kafkaPom());
    await output(
      'mvn',
      [
        '-q',
        '-B',
        '-f',
        join(kafkaHome(), 'pom.xml'),
        'org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies',
        '-DincludeScope=runtime',
        `-DoutputDirectory=${kafkaLib()}`,
      ],
      15 * 60_000,
    );
    await writeFile(join(kafkaHome(), '.complete'), new Date().toISOString());
  },
  manual: `mvn -f <cache>/kafka-${VERSIONS.kafka}/pom.xml dependency:copy-dependencies (run \`pnpm run doctor\` as a user who can reach Maven Central)`,
};

const mongodAbsent = async () => (await findMongod()) === undefined;

const go: Requirement = {
  name: 'go',
  purpose: 'building Toxiproxy, and FerretDB when no mongod is available',
  async check() {
    const version = await tryOutput('go', ['version']);
    const match = version && /go(\d+\.\d+(?:\.\d+)?)/.exec(version);
    if (!match) return { missing: 'go is not on PATH' };
    if (compareVersions(match[1]!, VERSIONS.goMinimum) < 0)
      return { missing: `go ${match[1]} is older than ${VERSIONS.goMinimum}` };
    return { found: `go ${match[1]}` };
  },
  neededWhen: async () =>
    ((await mongodAbsent()) && !(await pathExists(ferretdbBinary()))) ||
    !(await pathExists(toxiproxyBinary())),
  manual: `install Go ${VERSIONS.goMinimum} or newer (Debian 12's golang-go is too old: use bookworm-backports golang-1.22 or go.dev), or set MONGOD_BIN to a real mongod`,
};

const ferretdb: Requirement = {
  name: 'ferretdb',
  purpose: 'the MongoDB stand-in when no mongod is available',
  async check() {
    const version = await tryOutput(ferretdbBinary(), ['--version']);
    const match = version && /version: (\S+)/.exec(version);
    return match
      ? { found: `ferretdb ${match[1]} (${ferretdbBinary()})` }
      : { missing: `not built in ${ferretdbBinary()}` };
  },
  neededWhen: mongodAbsent,
  /** Built from source with our patches (buildFerretdb). */
  install: () => buildFerretdb(ferretdbPatches(), ferretdbBinary()),
  manual: `run \`pnpm run doctor\` on a machine that reaches the Go module proxy, or set MONGOD_BIN to a real mongod`,
};

const toxiproxy: Requirement = {
  name: 'toxiproxy',
  purpose: 'the fault proxy between the app and the data tier (network faults)',
  async check() {
    const version = await tryOutput(toxiproxyBinary(), ['-version']);
    const match = version && /(\d+\.\d+\.\d+)/.exec(version);
    return match
      ? { found: `toxiproxy ${match[1]} (${toxiproxyBinary()})` }
      : { missing: `not built in ${toxiproxyBinary()}` };
  },
  install: buildToxiproxy,
  manual: `go install github.com/Shopify/toxiproxy/v2/cmd/server@${VERSIONS.toxiproxy} and copy the binary to ${toxiproxyBinary()}`,
};

/** In install order: Debian packages first, then what Maven and Go build from them. */
export const REQUIREMENTS: Requirement[] = [redis, java, maven, kafkaJars, go, ferretdb, toxiproxy];

/** The browser the UI smoke suite drives: a system Chromium, since no browser can be downloaded. */
export function chromiumPath(): string {
  return process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
}

export const chromium: Requirement = {
  name: 'chromium',
  purpose: 'the Playwright UI smoke suite (headless)',
  async check() {
    const version = await tryOutput(chromiumPath(), ['--version']);
    return version
      ? { found: version.trim() }
      : { missing: `no Chromium at ${chromiumPath()} (set CHROMIUM_PATH to use another)` };
  },
  debianPackages: ['chromium', 'fonts-liberation'],
  manual:
    'sudo apt-get install -y chromium fonts-liberation   (or set CHROMIUM_PATH to a Chromium or Chrome binary)',
};

export const schemathesisHome = () => join(cacheDir(), `schemathesis-${VERSIONS.schemathesis}`);
export const schemathesisBin = () => join(schemathesisHome(), 'bin', 'st');

/** The fuzzing job's fuzzer, from PyPI into a virtualenv of its own (no system Python is touched). */
export const schemathesis: Requirement = {
  name: 'schemathesis',
  purpose: "the fuzzing job of `pnpm test` and `pnpm test:fuzz` (over the gateway's OpenAPI document)",
  async check() {
    const version = await tryOutput(schemathesisBin(), ['--version']);
    return version?.includes(VERSIONS.schemathesis)
      ? { found: version.trim() }
      : { missing: `no schemathesis ${VERSIONS.schemathesis} in ${schemathesisHome()}` };
  },
  // Debian's python3 makes virtualenvs only with python3-venv.
  debianPackages: ['python3', 'python3-venv'],
  async install() {
    const home = schemathesisHome();
    await rm(home, { recursive: true, force: true }); // a half-made one from an interrupted run
    await output('python3', ['-m', 'venv', home], 5 * 60_000);
    await output(
      join(home, 'bin', 'pip'),
      ['install', '--quiet', '--disable-pip-version-check', `schemathesis==${VERSIONS.schemathesis}`],
      10 * 60_000,
    );
  },
  manual: `python3 -m venv <cache>/schemathesis-${VERSIONS.schemathesis} && <cache>/schemathesis-${VERSIONS.schemathesis}/bin/pip install schemathesis==${VERSIONS.schemathesis}`,
};

/** The reference load generators: `pnpm bench:engine` measures the Node engine against them; `pnpm bench:api` saturates with wrk. */
export const wrk: Requirement = {
  name: 'wrk',
  purpose: 'the reference load generator of `pnpm bench:engine` (capacity) and `pnpm bench:api` (saturation)',
  async check() {
    // `wrk -v` prints its version (Debian's: `wrk debian/4.1.0-3+b2 [epoll]`), then its usage, and exits 1.
    const version = await tryOutput('sh', ['-c', 'wrk -v 2>&1; exit 0']);
    const match = version && /^wrk (?:debian\/)?(\d+\.\d+\.\d+)/m.exec(version);
    return match ? { found: `wrk ${match[1]}` } : { missing: 'wrk is not on PATH' };
  },
  debianPackages: ['wrk'],
  manual: 'sudo apt-get install -y wrk   (macOS: brew install wrk)',
};

export const hey: Requirement = {
  name: 'hey',
  purpose: 'the fixed-rate reference load generator of `pnpm bench:engine` (latency agreement)',
  async check() {
    // hey has no version flag: where it is must do.
    const path = await tryOutput('sh', ['-c', 'command -v hey']);
    return path ? { found: `hey (${path})` } : { missing: 'hey is not on PATH' };
  },
  debianPackages: ['hey'],
  manual: 'sudo apt-get install -y hey   (or: go install github.com/rakyll/hey@latest)',
};
