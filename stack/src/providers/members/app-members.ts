import { randomBytes } from 'node:crypto';
import { StackError } from '@stackdrill/toolkit';
import type { ComponentStatus, Endpoints, MemberRole } from '../../components/handle.ts';
import { appEnvironment, type AppSecrets } from '../../components/app/app-env.ts';
import { throughFaultProxy } from '../../components/app/fault-proxy-view.ts';
import { FAULT_PROXY } from '@stackdrill/facts';
import { probeApp } from '../../components/app/app-probe.ts';
import { httpReady, waitUntil } from '../../readiness/strategies.ts';
import type { MemberLaunch } from './member-runtime.ts';
import {
  MemberComponent,
  stackFaultPoints,
  type MemberContext,
  type Report,
  type UpOutcome,
} from './member-component.ts';

/** How a provider serves the web UI. */
export interface AppUi {
  /** The gateway serves the built UI from this directory, as the gateway sees it. */
  gatewayUiDir?: string;
  /** Makes the production build current before the gateway starts; says whether it built. */
  ensureBuilt?: (report: Report) => Promise<boolean>;
  /** A member of its own serves the UI (the `ui-server` program), passing the API to the gateway. */
  ownMember?: boolean;
}

/**
 * The application: the fault proxy (Toxiproxy, a listener per data-tier member, through which the
 * services reach the data tier), the sinks, the five services, then the gateway, each Node member
 * started from its service's directory with an environment rendered from the topology, and ready
 * when its own `/ready` says every dependency answers.
 */
export class AppMembers extends MemberComponent {
  readonly name = 'app' as const;
  protected readonly stopGraceMs = 12_000;

  constructor(
    ctx: MemberContext,
    /** The data tier as the stack's members reach it. */
    private readonly dataEndpoints: () => Omit<Endpoints, 'app'>,
    private readonly ui: AppUi = {},
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
      ...(this.ui.ownMember ? [{ name: app.ui.name, port: app.ui.port, role: 'ui' as const, dir: '' }] : []),
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
    const { app } = this.ctx.instance;
    if (name === FAULT_PROXY.name) return [app.faultProxy.port];
    if (name === 'sinks') return [app.sinks.port, app.sinks.smtpPort];
    const { port, metricsPort } = this.member(name);
    return metricsPort === undefined ? [port] : [port, metricsPort];
  }

  /** Gateway first (no new traffic), then the services, then the sinks they send to and the proxy they reach the data through. */
  protected override stopOrder(): string[][] {
    // The proxy whatever the setting says now: one left running from before is stopped too.
    return [
      [this.ctx.instance.app.ui.name, 'gateway'],
      this.ctx.instance.app.services.map((s) => s.name),
      ['sinks', FAULT_PROXY.name],
    ];
  }

  protected probe(): Promise<ComponentStatus> {
    return probeApp({ host: this.host, members: this.processes });
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

  /** Every data-tier member's fault point, as the stack reaches it. */
  private dataFaultPoints() {
    return stackFaultPoints(this.ctx.instance, (m) => this.stackHost(m));
  }

  /** Toxiproxy with a proxy per fault point, created at its start from a rendered config (so a restart clears every fault). */
  private faultProxyLaunch(): MemberLaunch {
    const { app } = this.ctx.instance;
    const { bindHost, dir } = this.runtime.placement;
    const listenPorts = this.dataFaultPoints().map((p) => p.listen.port);
    return {
      member: FAULT_PROXY.name,
      component: this.name,
      program: 'toxiproxy',
      args: [
        '-host',
        bindHost,
        '-port',
        String(app.faultProxy.port),
        '-config',
        `${dir(FAULT_PROXY.name)}/proxies.json`,
      ],
      files: [
        {
          name: 'proxies.json',
          content: JSON.stringify(
            this.dataFaultPoints().map((p) => ({
              name: p.member,
              listen: `${bindHost}:${p.listen.port}`,
              upstream: `${p.upstream.host}:${p.upstream.port}`,
              enabled: true,
            })),
            null,
            2,
          ),
        },
      ],
      // Its default logs every connection at trace level: a soak's log would grow without bound.
      env: { LOG_LEVEL: 'info' },
      ports: [app.faultProxy.port, ...listenPorts],
      published: [{ host: app.faultProxy.port, member: app.faultProxy.port }],
    };
  }

  /** nginx with the built UI, passing /api to the gateway where the stack reaches it. */
  private uiLaunch(): MemberLaunch {
    const { ui, gateway } = this.ctx.instance.app;
    return {
      member: ui.name,
      component: this.name,
      program: 'ui-server',
      args: [],
      env: { PORT: String(ui.port), GATEWAY_URL: `http://${this.stackHost('gateway')}:${gateway.port}` },
      ports: [ui.port],
      published: [{ host: ui.port, member: ui.port }],
    };
  }

  protected async launch(name: string): Promise<MemberLaunch> {
    const member = this.member(name);
    if (name === FAULT_PROXY.name) return this.faultProxyLaunch();
    if (name === this.ctx.instance.app.ui.name) return this.uiLaunch();
    // The services reach the data tier through the fault proxy's listeners (unless it is off).
    const data = this.throughFaultProxy
      ? throughFaultProxy(this.dataEndpoints(), this.dataFaultPoints())
      : this.dataEndpoints();
    const env = appEnvironment(this.ctx.instance, data, await this.secrets(), {
      ...(this.ui.gatewayUiDir ? { uiDir: this.ui.gatewayUiDir } : {}),
      bindHost: this.runtime.placement.bindHost,
      stackHost: (m) => this.stackHost(m),
    })[name]!;
    const ports = this.memberPorts(name);
    return {
      member: name,
      component: this.name,
      program: 'node-app',
      args: [member.dir],
      env,
      ports,
      published: ports.map((port) => ({ host: port, member: port })),
    };
  }

  protected async waitUp(name: string): Promise<void> {
    const member = this.member(name);
    await waitUntil(name, httpReady(this.host, member.port, member.role), [this.watch(name)]);
  }

  async up(report: Report): Promise<UpOutcome> {
    const services = this.ctx.instance.app.services.map((s) => s.name);
    const building = this.ui.ensureBuilt?.(report) ?? Promise.resolve(false);
    const gateway =
      (this.throughFaultProxy ? await this.startMissing([FAULT_PROXY.name], report, 'fault proxy') : 0) +
      (await this.startMissing(['sinks', ...services], report, 'members (the services and the sinks)')) +
      ((await building) ? 1 : 0) +
      (await this.startMissing(['gateway'], report, 'gateway'));
    let ui = 0;
    if (this.ui.ownMember) {
      ui = await this.startMissing([this.uiName], report, 'web UI server');
      if (ui === 0 && gateway > 0) await this.followGateway(report);
    }
    return gateway + ui > 0 ? 'started' : 'already-running';
  }

  private get uiName(): string {
    return this.ctx.instance.app.ui.name;
  }

  /**
   * The UI's server (nginx) resolved the gateway's address when it started, and a gateway started
   * again may have another (a container's address is its own): the UI's server starts again too.
   */
  private async followGateway(report?: Report): Promise<void> {
    if (!this.ui.ownMember || !(await this.isRunning(this.uiName))) return;
    report?.('restarting the web UI server (it follows the gateway)');
    await super.restart(this.uiName);
  }

  override async restart(member: string): Promise<void> {
    await super.restart(member);
    if (member === 'gateway') await this.followGateway();
  }
}
