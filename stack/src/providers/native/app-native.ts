import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UI_DIST } from '@stackdrill/frontend/paths';
import { REPO_ROOT } from '../../paths.ts';
import { StackError } from '@stackdrill/toolkit';
import type { ComponentStatus, Endpoints, MemberRole } from '../../components/handle.ts';
import { appEnvironment, type AppSecrets } from '../../components/app/app-env.ts';
import { throughFaultProxy } from '../../components/app/fault-proxy-view.ts';
import { toxiproxyBinary } from '../../doctor/requirements.ts';
import { faultPointsOf, FAULT_PROXY } from '@stackdrill/facts';
import { probeApp } from '../../components/app/app-probe.ts';
import type { ProcessSpec } from '../../process/supervisor.ts';
import { httpReady, waitUntil } from '../../readiness/strategies.ts';
import { NativeComponent, type NativeContext, type Report, type UpOutcome } from './native-component.ts';

/**
 * The application as local processes: the fault proxy (Toxiproxy, a listener per data-tier member,
 * through which the services reach the data tier), the sinks, the five services, then the gateway,
 * each Node process started from its `main.ts` with an environment rendered from the topology, and
 * ready when its own `/ready` says every dependency answers.
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
    const proxy = this.throughFaultProxy
      ? [{ name: FAULT_PROXY.name, port: app.faultProxy.port, role: 'proxy' as const, dir: '' }]
      : [];
    return [
      ...proxy,
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

  /** Whether the services reach the data tier through the fault proxy (the instance's setting, kept in its state). */
  private get throughFaultProxy(): boolean {
    return this.ctx.store.state.facts.faultProxy !== false;
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
    if (name === FAULT_PROXY.name)
      return [
        this.ctx.instance.app.faultProxy.port,
        ...faultPointsOf(this.ctx.instance).map((p) => p.listenPort),
      ];
    if (name === 'sinks') return [this.ctx.instance.app.sinks.port, this.ctx.instance.app.sinks.smtpPort];
    const { port, metricsPort } = this.member(name);
    return metricsPort === undefined ? [port] : [port, metricsPort];
  }

  /** Gateway first (no new traffic), then the services, then the sinks they send to and the proxy they reach the data through. */
  protected override stopOrder(): string[][] {
    // The proxy whatever the setting says now: one left running from before is stopped too.
    return [['gateway'], this.ctx.instance.app.services.map((s) => s.name), ['sinks', FAULT_PROXY.name]];
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

  /** Toxiproxy with a proxy per fault point, created at its start from a rendered config (so a restart clears every fault). */
  private async prepareFaultProxy(dir: string): Promise<ProcessSpec> {
    const { host, app } = this.ctx.instance;
    const config = join(dir, 'proxies.json');
    await writeFile(
      config,
      JSON.stringify(
        this.dataFaultPoints().map((p) => ({
          name: p.member,
          listen: `${p.listen.host}:${p.listen.port}`,
          upstream: `${p.upstream.host}:${p.upstream.port}`,
          enabled: true,
        })),
        null,
        2,
      ),
    );
    return {
      member: FAULT_PROXY.name,
      component: this.name,
      command: toxiproxyBinary(),
      args: ['-host', host, '-port', String(app.faultProxy.port), '-config', config],
      cwd: dir,
      // Its default logs every connection at trace level: a soak's log would grow without bound.
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'info' },
      logFile: this.ctx.paths.log(FAULT_PROXY.name),
    };
  }

  /** Every data-tier member's fault point: where the proxy listens for it. */
  private dataFaultPoints() {
    return faultPointsOf(this.ctx.instance).map((p) => ({
      component: p.component,
      member: p.member,
      listen: { host: p.host, port: p.listenPort },
      upstream: { host: p.host, port: p.port },
    }));
  }

  protected async prepare(name: string): Promise<ProcessSpec> {
    const member = this.member(name);
    const dir = this.ctx.paths.member(name);
    await mkdir(dir, { recursive: true });
    if (name === FAULT_PROXY.name) return this.prepareFaultProxy(dir);
    // The services reach the data tier through the fault proxy's listeners (unless it is off).
    const data = this.throughFaultProxy
      ? throughFaultProxy(this.dataEndpoints(), this.dataFaultPoints())
      : this.dataEndpoints();
    const env = appEnvironment(this.ctx.instance, data, await this.secrets(), {
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
      (this.throughFaultProxy ? await this.startMissing([FAULT_PROXY.name], report, 'fault proxy') : 0) +
      (await this.startMissing(['sinks', ...services], report, 'processes (the services and the sinks)')) +
      (await building) +
      (await this.startMissing(['gateway'], report, 'gateway'));
    return started > 0 ? 'started' : 'already-running';
  }
}
