import { Listr } from 'listr2';
import pc from 'picocolors';
import { StackError } from '../errors.ts';
import { parseStackCommand } from '../cli/args.ts';
import { renderStatus, seconds } from '../cli/format.ts';
import { runDoctor, type DoctorEvent } from '../doctor/doctor.ts';
import { NativeProvider } from '../providers/native/native-provider.ts';
import type { NativeComponent } from '../providers/native/native-component.ts';

const USAGE = `pnpm stack:up [--provider native] [--instance dev|test|bench] [--fresh] [--data-only]
  Installs what is missing, starts the data tier (MongoDB or FerretDB, Redis + Sentinel, Kafka),
  waits until every member answers its protocol, then starts the sinks, the five services and the
  gateway and waits until each reports ready. Prints a summary. Safe to run twice.
  --fresh       stop the instance and delete its data first
  --data-only   start the data tier only`;

export async function up(argv: string[]): Promise<number> {
  const parsed = parseStackCommand(argv, USAGE, {
    fresh: { type: 'boolean', default: false },
    'data-only': { type: 'boolean', default: false },
  });
  if (!parsed) return 0;
  const { values, instance } = parsed;
  const t0 = Date.now();

  console.log(pc.bold(`stackdrill: bringing up instance "${instance}" on the native provider`));
  const tools = await runDoctor({ onEvent: printDoctorEvent });
  const provider = await NativeProvider.open(instance, tools);

  if (values.fresh) {
    await provider.down();
    await provider.purge();
    console.log(`  --fresh: stopped instance "${instance}" and deleted ${provider.paths.root}`);
  }

  // Ctrl-C during start-up stops what this run started; members that were already up stay up.
  const onInterrupt = () => {
    console.error(pc.yellow('\ninterrupted: stopping what this run started...'));
    void provider.stopStartedSince(t0).then((stopped) => {
      console.error(`stopped ${stopped.length ? stopped.join(', ') : 'nothing'}`);
      process.exit(130);
    });
  };
  process.once('SIGINT', onInterrupt);
  process.once('SIGTERM', onInterrupt);

  const outcomes = new Map<string, string>();
  const stage = (components: NativeComponent[]) =>
    new Listr(
      components.map((component) => ({
        title: component.name,
        task: async (_ctx: unknown, task: { output: string; title: string }) => {
          const started = Date.now();
          const outcome = await component.up((message) => {
            task.output = message;
          });
          outcomes.set(component.name, outcome);
          task.title = `${component.name}: ${outcome === 'already-running' ? 'already up' : 'ready'} in ${seconds(Date.now() - started)}`;
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
  // The data tier's components start side by side; the app starts once they all answer.
  const errors: unknown[] = [];
  try {
    for (const components of values['data-only']
      ? [provider.dataTier]
      : [provider.dataTier, [provider.app]]) {
      const tasks = stage(components);
      await tasks.run();
      errors.push(...tasks.errors.map((e) => e.error));
      if (errors.length > 0) break;
    }
  } finally {
    process.removeListener('SIGINT', onInterrupt);
    process.removeListener('SIGTERM', onInterrupt);
  }
  if (errors.length > 0) {
    const stopped = await provider.stopStartedSince(t0);
    for (const error of errors) {
      console.error(
        `${pc.red('error:')} ${error instanceof StackError ? error.describe() : String(error)}\n`,
      );
    }
    console.error(
      `stopped what this run started (${stopped.join(', ') || 'nothing'}); nothing is left running from it.`,
    );
    return 1;
  }

  const status = values['data-only']
    ? await Promise.all(provider.dataTier.map((c) => c.status()))
    : await provider.status();
  console.log(renderStatus(status));
  const endpoints = provider.endpoints();
  console.log(pc.bold('\nendpoints'));
  console.log(`  mongo:  ${endpoints.mongo.uri}`);
  console.log(
    `  redis:  sentinels ${endpoints.redis.sentinels.map((s) => `${s.host}:${s.port}`).join(',')} master name "${endpoints.redis.masterName}"`,
  );
  console.log(`  kafka:  ${endpoints.kafka.brokers.join(',')}`);
  if (!values['data-only']) {
    console.log(`  shop:   ${endpoints.app.gateway}/  (the web UI; admin pages under /admin/dashboard)`);
    console.log(`  api:    ${endpoints.app.gateway}/api  (OpenAPI: ${endpoints.app.gateway}/api/docs)`);
    console.log(
      `  mail:   ${endpoints.app.mailInbox}  (what the notification service sent; SMTP ${endpoints.app.smtp})`,
    );
  }
  const allUp = [...outcomes.values()].every((o) => o === 'already-running');
  console.log(
    pc.bold(`\n${allUp ? 'already up' : 'ready'} in ${seconds(Date.now() - t0)}`) +
      `  (state, logs and data in ${provider.paths.root}; stop with \`pnpm stack:down\`)`,
  );
  return status.every((c) => c.healthy) ? 0 : 1;
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
