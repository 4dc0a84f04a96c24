import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { UI_DIST } from '@stackdrill/frontend/paths';
import { REPO_ROOT } from '../../paths.ts';
import { StackError } from '@stackdrill/toolkit';
import type { ComponentStatus, Endpoints, MemberRole } from '../../components/handle.ts';
import { appEnvironment, type AppSecrets } from '../../components/app/app-env.ts';
import { probeApp } from '../../components/app/app-probe.ts';
import type { ProcessSpec } from '../../process/supervisor.ts';
import { httpReady, waitUntil } from '../../readiness/strategies.ts';
import { NativeComponent, type NativeContext, type Report, type UpOutcome } from './native-component.ts';

/**
 * The application as local Node processes: the sinks, the five services, then the gateway, each
 * started from its `main.ts` with an environment rendered from the topology, and ready when its own
 * `/ready` says every dependency answers.
 */
export class NativeApp extends NativeComponent {
  readonly name = 'app' as const;
  protected readonly stopGraceMs = 12_000;

  constructor(
    ctx: NativeContext,
    private readonly dataEndpoints: () => Omit<Endpoints, 'app'>,
  ) {
    super(ctx);
  }

  private get processes(): {
    name: string;
    port: number;
    metricsPort?: number;
    role: MemberRole;
    dir: string;
  }[] {
    const { app } = this.ctx.instance;
    return [
      { name: 'sinks', port: app.sinks.port, role: 'sink', dir: 'sinks' },
      ...app.services.map((s) => ({ ...s, role: 'service' as const, dir: s.name })),
      {
        name: 'gateway',
        port: app.gateway.port,
        metricsPort: app.gateway.metricsPort,
        role: 'gateway',
        dir: 'gateway',
      },
    ];
  }

  private member(name: string) {
    const member = this.processes.find((m) => m.name === name);
    if (!member) throw new StackError({ component: 'app', message: `has no member "${name}"` });
    return member;
  }

  memberNames(): string[] {
    return this.processes.map((m) => m.name);
  }

  protected memberPorts(name: string): number[] {
    if (name === 'sinks') return [this.ctx.instance.app.sinks.port, this.ctx.instance.app.sinks.smtpPort];
    const { port, metricsPort } = this.member(name);
    return metricsPort === undefined ? [port] : [port, metricsPort];
  }

  /** Gateway first (no new traffic), then the services, then the sinks they send to. */
  protected override stopOrder(): string[][] {
    return [['gateway'], this.ctx.instance.app.services.map((s) => s.name), ['sinks']];
  }

  protected probe(): Promise<ComponentStatus> {
    return probeApp({ host: this.ctx.instance.host, members: this.processes });
  }

  private async secrets(): Promise<AppSecrets> {
    const known = this.ctx.store.state.facts.appSecrets;
    if (known?.loadKey) return { ...known, loadKey: known.loadKey };
    const secret = () => randomBytes(32).toString('base64url');
    // Each key is kept once made: a stack from before the load key keeps its JWT and API keys.
    const secrets = {
      jwtSecret: known?.jwtSecret ?? secret(),
      internalApiKey: known?.internalApiKey ?? secret(),
      loadKey: secret(),
    };
    await this.ctx.store.setFacts({ appSecrets: secrets });
    return secrets;
  }

  protected async prepare(name: string): Promise<ProcessSpec> {
    const member = this.member(name);
    const dir = this.ctx.paths.member(name);
    await mkdir(dir, { recursive: true });
    const env = appEnvironment(this.ctx.instance, this.dataEndpoints(), await this.secrets(), {
      uiDir: UI_DIST,
    })[name]!;
    return {
      member: name,
      component: this.name,
      command: process.execPath,
      args: ['--import', 'tsx', join(REPO_ROOT, 'services', member.dir, 'src', 'main.ts')],
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      logFile: this.ctx.paths.log(name),
    };
  }

  protected async waitUp(name: string): Promise<void> {
    const member = this.member(name);
    await waitUntil(name, httpReady(this.ctx.instance.host, member.port, member.role), [this.watch(name)]);
  }

  /** The gateway serves the production build of the UI: rebuilt when its sources changed (~10 s). */
  private async buildUiIfChanged(report: Report): Promise<number> {
    const { buildUi, uiBuildIsCurrent } = await import('@stackdrill/frontend/build');
    if (await uiBuildIsCurrent()) return 0;
    report('building the web UI (vite)');
    try {
      await buildUi({ quiet: true });
    } catch (error) {
      throw new StackError({
        component: 'app',
        message: `the web UI did not build: ${(error as Error).message}`,
        hint: 'run `pnpm ui:build` to see the whole error',
      });
    }
    return 1;
  }

  async up(report: Report): Promise<UpOutcome> {
    const services = this.ctx.instance.app.services.map((s) => s.name);
    const building = this.buildUiIfChanged(report);
    const started =
      (await this.startMissing(['sinks', ...services], report, 'processes (the services and the sinks)')) +
      (await building) +
      (await this.startMissing(['gateway'], report, 'gateway'));
    return started > 0 ? 'started' : 'already-running';
  }
}
