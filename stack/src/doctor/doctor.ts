import pc from 'picocolors';
import { StackError } from '@stackdrill/toolkit';
import { debootstrap, podman } from './container-requirements.ts';
import { output } from './exec.ts';
import {
  chromium,
  ferretdbBinary,
  findMongod,
  hey,
  kafkaLib,
  REQUIREMENTS,
  schemathesis,
  wrk,
  type Requirement,
} from './requirements.ts';

export interface DoctorEvent {
  requirement: string;
  state: 'ok' | 'missing' | 'installing' | 'installed' | 'skipped' | 'failed';
  detail: string;
}

/** One doctor event as a report line: requirement, state and the detail, dimmed. */
export function doctorLine(event: DoctorEvent): string {
  return `${event.requirement.padEnd(14)} ${event.state.padEnd(10)} ${pc.dim(event.detail)}`;
}

export interface DoctorOptions {
  /** Install what is missing (default true). False only reports. */
  install?: boolean;
  /** What the native stack needs (default true). */
  stack?: boolean;
  /** Also the browser of the UI smoke suite (tests need it; the stack does not). */
  browser?: boolean;
  /** Also the reference load generators (wrk, hey) of `pnpm bench:engine` and `pnpm bench:api`; nothing else needs them. */
  bench?: boolean;
  /** Also the fuzzer of the fuzzing job (schemathesis, in a virtualenv in the cache). */
  fuzz?: boolean;
  /** Also a container engine (Podman where no Docker answers). */
  containers?: boolean;
  /** Also debootstrap, which makes the offline images' Debian base. */
  offlineImages?: boolean;
  onEvent?: (event: DoctorEvent) => void;
}

const canInstallDebian = async () =>
  process.platform === 'linux' &&
  process.getuid?.() === 0 &&
  (await output('sh', ['-c', 'command -v apt-get']).then(
    () => true,
    () => false,
  ));

/** Binaries the native provider runs, as found or installed by the doctor. */
export interface NativeTools {
  redisServer: string;
  java: string;
  /** Classpath of the Kafka broker jars (a `dir/*` wildcard). */
  kafkaClasspath: string;
  ferretdb: string;
  /** A real `mongod`, when one is on PATH or in MONGOD_BIN. */
  mongod?: string;
}

/**
 * Checks every requirement and installs what is missing, idempotently: a second run finds all
 * present and does nothing. When it cannot install (not root, no apt, no registry), it throws a
 * StackError listing the exact commands to run.
 */
export async function runDoctor(options: DoctorOptions = {}): Promise<NativeTools> {
  const install = options.install ?? true;
  const emit = options.onEvent ?? (() => {});
  const manual: string[] = [];

  const needed: Requirement[] = [];
  const wanted = [
    ...(options.stack === false ? [] : REQUIREMENTS),
    ...(options.browser ? [chromium] : []),
    ...(options.bench ? [wrk, hey] : []),
    ...(options.fuzz ? [schemathesis] : []),
    ...(options.containers ? [podman] : []),
    ...(options.offlineImages ? [debootstrap] : []),
  ];
  for (const req of wanted) {
    if (req.neededWhen && !(await req.neededWhen())) {
      emit({ requirement: req.name, state: 'skipped', detail: 'not needed here' });
      continue;
    }
    const result = await req.check();
    if ('found' in result) emit({ requirement: req.name, state: 'ok', detail: result.found });
    else {
      emit({ requirement: req.name, state: 'missing', detail: result.missing });
      needed.push(req);
    }
  }

  const debian = needed.flatMap((r) => r.debianPackages ?? []);
  if (debian.length > 0) {
    if (install && (await canInstallDebian())) {
      emit({ requirement: 'apt', state: 'installing', detail: `apt-get install ${debian.join(' ')}` });
      await output('apt-get', ['update', '-qq'], 10 * 60_000);
      await output('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...debian], 20 * 60_000);
    } else {
      manual.push(
        ...needed.filter((r) => r.debianPackages).map((r) => `${r.name} (${r.purpose}): ${r.manual}`),
      );
    }
  }

  for (const req of needed) {
    if (req.install && install && manual.length === 0) {
      emit({ requirement: req.name, state: 'installing', detail: req.purpose });
      // Maven and Go can take minutes on a fresh machine: say every 15 s that it is still going.
      const started = Date.now();
      const heartbeat = setInterval(() => {
        const elapsed = Math.round((Date.now() - started) / 1000);
        emit({ requirement: req.name, state: 'installing', detail: `still working (${elapsed} s)` });
      }, 15_000);
      try {
        await req.install();
      } catch (error) {
        const reason = (error as Error).message.split('\n').slice(0, 6).join('\n      ');
        emit({ requirement: req.name, state: 'failed', detail: reason });
        manual.push(`${req.name} (${req.purpose}): ${req.manual}\n    (install failed: ${reason})`);
        continue;
      } finally {
        clearInterval(heartbeat);
      }
    } else if (req.install) {
      manual.push(`${req.name} (${req.purpose}): ${req.manual}`);
      continue;
    }
    const after = await req.check();
    if ('found' in after) emit({ requirement: req.name, state: 'installed', detail: after.found });
    else if (!manual.some((m) => m.startsWith(req.name)))
      manual.push(`${req.name} (${req.purpose}): ${req.manual}`);
  }

  if (manual.length > 0) {
    throw new StackError({
      component: 'doctor',
      message: `missing dependencies that could not be installed automatically:\n${manual.map((m) => `  - ${m}`).join('\n')}`,
      hint: install
        ? 'run the commands above (or re-run as root on Debian/Ubuntu), then try again'
        : 'run `pnpm run doctor` to install them',
    });
  }

  const mongod = await findMongod();
  return {
    redisServer: 'redis-server',
    java: 'java',
    kafkaClasspath: `${kafkaLib()}/*`,
    ferretdb: ferretdbBinary(),
    ...(mongod ? { mongod } : {}),
  };
}
