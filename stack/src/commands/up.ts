import { Listr } from 'listr2';
import pc from 'picocolors';
import { seconds, StackError, UsageError } from '@stackdrill/toolkit';
import { IMAGES_MODES, type ImagesMode } from '../images/build-images.ts';
import { parseStackCommand, INSTANCE_CHOICES } from '../cli/args.ts';
import { renderStatus } from '../cli/format.ts';
import type { DoctorEvent } from '../doctor/doctor.ts';
import type { ComponentName } from '../components/handle.ts';
import { UpFailed, type UpEvent } from '../providers/provider.ts';
import { openProvider } from '../providers/registry.ts';
import { catalogueIsEmpty } from '../seed/seed.ts';
import { printImagesEvent } from './images.ts';
import { seedAndPrint } from './seed.ts';

const USAGE = `pnpm stack:up [--provider native|containers] [--instance ${INSTANCE_CHOICES}] [--fresh] [--data-only] [--no-seed] [--no-fault-proxy] [--reuse] [--images public|offline]
  Installs what is missing, starts the data tier (MongoDB or FerretDB, Redis + Sentinel, Kafka),
  waits until every member answers its protocol, then starts the sinks, the five services and the
  gateway and waits until each reports ready. An empty shop gets the demo catalogue and accounts
  (as \`pnpm stack:seed\`). Prints a summary. Safe to run twice.
  --fresh       stop the instance and delete its data first
  --data-only   start the data tier only
  --no-seed     leave an empty catalogue empty
  --no-fault-proxy  the app reaches the data tier directly, not through the fault proxy (Toxiproxy):
                no network faults, and none of the proxy's CPU on every data-tier call (for benches)
  --reuse       containers: a member's stopped container (a crash, \`docker stop\`, a reboot) made
                from the same image and settings starts again as it is; without it, it is made anew
                (its data kept in its volume). Running members are kept either way
  --images      containers: run the images built on the pinned public base (\`pnpm images:build\`)
                or on the one made with debootstrap (\`pnpm images:build --offline\`); unsaid, what
                the instance ran before, else whichever is built. One of them that is missing is
                built first`;

function requireImagesMode(value: string): ImagesMode {
  if ((IMAGES_MODES as readonly string[]).includes(value)) return value as ImagesMode;
  throw new UsageError(`--images ${value}: choose ${IMAGES_MODES.join(' or ')}`);
}

export async function up(argv: string[]): Promise<number> {
  const parsed = parseStackCommand(argv, USAGE, {
    fresh: { type: 'boolean', default: false },
    'data-only': { type: 'boolean', default: false },
    'no-seed': { type: 'boolean', default: false },
    'no-fault-proxy': { type: 'boolean' },
    reuse: { type: 'boolean', default: false },
    images: { type: 'string' },
  });
  if (!parsed) return 0;
  const { values, instance } = parsed;
  const images = values.images === undefined ? undefined : requireImagesMode(values.images);
  if (images && parsed.provider === 'native')
    throw new UsageError('--images chooses the container images: pass it with --provider containers');
  const t0 = Date.now();
  const dataOnly = values['data-only'];

  console.log(pc.bold(`stackdrill: bringing up instance "${instance}" on the ${parsed.provider} provider`));
  const provider = await openProvider(instance, parsed.provider);

  // Ctrl-C during start-up stops what this run started; members that were already up stay up.
  const interrupt = new AbortController();
  const onInterrupt = () => {
    console.error(pc.yellow('\ninterrupted: stopping what this run started...'));
    interrupt.abort(new Error('interrupted'));
  };
  process.once('SIGINT', onInterrupt);
  process.once('SIGTERM', onInterrupt);
  const printer = new UpPrinter();
  try {
    await provider.up(
      {
        fresh: values.fresh,
        dataOnly,
        signal: interrupt.signal,
        ...(values['no-fault-proxy'] ? { faultProxy: false } : {}),
        ...(values.reuse ? { reuse: true } : {}),
        ...(images ? { images } : {}),
      },
      (e) => printer.on(e),
    );
  } catch (error) {
    await printer.done();
    if (!(error instanceof UpFailed)) throw error;
    if (error.interrupted) {
      console.error(`stopped ${error.stopped.length ? error.stopped.join(', ') : 'nothing'}`);
      return 130;
    }
    for (const e of error.errors) {
      console.error(`${pc.red('error:')} ${e instanceof StackError ? e.describe() : String(e)}\n`);
    }
    console.error(
      `stopped what this run started (${error.stopped.join(', ') || 'nothing'}); nothing is left running from it.`,
    );
    return 1;
  } finally {
    process.removeListener('SIGINT', onInterrupt);
    process.removeListener('SIGTERM', onInterrupt);
  }
  await printer.done();
  if (!dataOnly && !values['no-seed'] && (await catalogueIsEmpty(provider))) {
    console.log(
      pc.bold('\nseeding the empty shop with the demo catalogue and accounts (--no-seed skips this)'),
    );
    await seedAndPrint(provider);
  }

  const status = await provider.status({ dataOnly });
  console.log(renderStatus(status));
  const endpoints = provider.endpoints();
  console.log(pc.bold('\nendpoints'));
  console.log(`  mongo:  ${endpoints.mongo.uri}`);
  console.log(
    `  redis:  sentinels ${endpoints.redis.sentinels.map((s) => `${s.host}:${s.port}`).join(',')} master name "${endpoints.redis.masterName}"`,
  );
  console.log(`  kafka:  ${endpoints.kafka.brokers.join(',')}`);
  if (!dataOnly) {
    console.log(`  shop:   ${endpoints.app.ui}/  (the web UI; admin pages under /admin/dashboard)`);
    console.log(`  api:    ${endpoints.app.gateway}/api  (OpenAPI: ${endpoints.app.gateway}/api/docs)`);
    console.log(
      `  mail:   ${endpoints.app.mailInbox}  (what the notification service sent; SMTP ${endpoints.app.smtp})`,
    );
  }
  console.log(
    pc.bold(`\n${printer.alreadyUp ? 'already up' : 'ready'} in ${seconds(Date.now() - t0)}`) +
      `  (state, logs and data in ${provider.home}; stop with \`pnpm stack:down\`)`,
  );
  return status.every((c) => c.healthy) ? 0 : 1;
}

/** A component's list entry, waiting for its events. */
class Waiting {
  last: string | undefined;
  show: ((message: string) => void) | undefined;
  readonly title: Promise<string>;
  settle!: (outcome: string | Error) => void;

  constructor() {
    this.title = new Promise<string>((resolve, reject) => {
      this.settle = (outcome) => (typeof outcome === 'string' ? resolve(outcome) : reject(outcome));
    });
    this.title.catch(() => {});
  }

  output(message: string): void {
    this.last = message;
    this.show?.(message);
  }
}

/** Prints `up`'s events: doctor lines as they come, then one listr2 list per stage of components. */
class UpPrinter {
  alreadyUp = true;
  private readonly waiting = new Map<ComponentName, Waiting>();
  private stages: Promise<unknown> = Promise.resolve();

  on(event: UpEvent): void {
    switch (event.type) {
      case 'doctor':
        return printDoctorEvent(event.event);
      case 'purged':
        console.log(`  --fresh: stopped the instance and deleted ${event.path}`);
        return;
      case 'images':
        console.log(
          `  images: the ${event.mode} build (on ${event.base})${event.published.length ? `, and as published ${event.published.join(', ')}` : ''}`,
        );
        return;
      case 'images-pull':
        return printPullEvent(event);
      case 'images-build':
        return printImagesEvent(event.event);
      case 'stage':
        this.stages = this.stages.then(() => this.list(event.components).run());
        return;
      case 'progress':
        this.waiting.get(event.component)?.output(event.message);
        return;
      case 'ready':
        if (event.outcome !== 'already-running') this.alreadyUp = false;
        this.waiting
          .get(event.component)
          ?.settle(
            `${event.component}: ${event.outcome === 'already-running' ? 'already up' : 'ready'} in ${seconds(event.ms)}`,
          );
        return;
      case 'failed':
        this.waiting
          .get(event.component)
          ?.settle(event.error instanceof Error ? event.error : new Error(String(event.error)));
    }
  }

  /** Waits until every list has finished drawing. */
  async done(): Promise<void> {
    for (const [, w] of this.waiting) w.settle(new Error('not started'));
    await this.stages.catch(() => {});
  }

  private list(components: ComponentName[]) {
    // Each task only shows its component's events; the provider does the work.
    for (const name of components) this.waiting.set(name, new Waiting());
    return new Listr(
      components.map((name) => ({
        title: name,
        task: async (_ctx: unknown, task: { output: string; title: string }) => {
          const waiting = this.waiting.get(name)!;
          waiting.show = (message) => (task.output = message);
          if (waiting.last) task.output = waiting.last;
          task.title = await waiting.title;
        },
      })),
      {
        concurrent: true,
        exitOnError: false,
        // Our own handler stops what this run started; listr2's would exit 127 before it finishes.
        registerSignalListeners: false,
        collectErrors: 'minimal',
        rendererOptions: { collapseErrors: false },
        fallbackRendererOptions: { timestamp: undefined },
      },
    );
  }
}

function printDoctorEvent(event: DoctorEvent): void {
  const mark = {
    ok: pc.green('ok'),
    skipped: pc.dim('--'),
    missing: pc.yellow('missing'),
    installing: pc.cyan('installing'),
    installed: pc.green('installed'),
    failed: pc.red('failed'),
  }[event.state];
  if (event.state === 'ok' || event.state === 'skipped') return; // quiet when nothing to do
  console.log(`  doctor: ${event.requirement} ${mark} ${pc.dim(event.detail)}`);
}

/** A published image's pull: when it starts, every few seconds how far it is, when it is done. */
function printPullEvent(event: Extract<UpEvent, { type: 'images-pull' }>): void {
  const mb = (bytes = 0) => `${Math.round(bytes / 1e6)} MB`;
  if (event.state === 'pulling') console.log(`  pulling ${event.image}...`);
  else if (event.state === 'progress')
    console.log(`  pulling ${event.image}: ${mb(event.bytes)} of ${mb(event.of)}`);
  else console.log(`  ${pc.green('✔')} pulled ${event.image} in ${seconds(event.ms ?? 0)}`);
}
