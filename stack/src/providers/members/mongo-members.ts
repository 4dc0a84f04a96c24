import { StackError, waitFor } from '@stackdrill/toolkit';
import type { ComponentStatus } from '../../components/handle.ts';
import {
  gatedMongoUri,
  mongoUri,
  probeMongo,
  type MongoFlavor,
  type MongoProbeTarget,
} from '../../components/mongo/mongo-probe.ts';
import { ferretdbArgs } from '../../components/mongo/ferretdb-args.ts';
import { initiateReplicaSet } from '../../components/mongo/replica-set.ts';
import { mongoHello, socksGateReaches, waitUntil } from '../../readiness/strategies.ts';
import type { MemberLaunch } from './member-runtime.ts';
import { MemberComponent, type MemberContext, type Report, type UpOutcome } from './member-component.ts';

/**
 * MongoDB as a 3-member replica set of real `mongod`s where the provider can run one; otherwise
 * FerretDB (one member on SQLite, answering `hello` as set `rs0`) stands in.
 */
export class MongoMembers extends MemberComponent {
  readonly name = 'mongo' as const;
  protected readonly stopGraceMs = 8000;

  /** `available`: what the provider can run now (native: a `mongod` binary exists). */
  constructor(
    ctx: MemberContext,
    private readonly available: () => MongoFlavor,
  ) {
    super(ctx);
  }

  /** What the data directory was made with wins; a new stack uses mongod when there is one. */
  get flavor(): MongoFlavor {
    return this.ctx.store.state.facts.mongoFlavor ?? this.available();
  }

  get target(): MongoProbeTarget {
    const { mongo } = this.ctx.instance;
    // FerretDB has no replication: it runs as the first member only.
    const members = this.flavor === 'mongod' ? mongo.members : mongo.members.slice(0, 1);
    const target = { host: this.host, replicaSet: mongo.replicaSet, members, flavor: this.flavor };
    const gate = this.gate;
    if (!gate) return target;
    const clientUri = gatedMongoUri(target, { host: this.host, port: gate.port }, (m) =>
      this.stackHost(m.name),
    );
    return { ...target, clientUri };
  }

  /** The URI a client uses: this machine's (through the gate where there is one), or the stack's own. */
  clientUri(view: 'host' | 'stack', hostOf: (member: string) => string): string {
    const { target } = this;
    return view === 'host' && target.clientUri ? target.clientUri : mongoUri(target, (m) => hostOf(m.name));
  }

  /**
   * Where the members are named on a network of their own (containers), the SOCKS5 gate on it that
   * this machine's clients reach them through: the names a replica set's members advertise resolve
   * only there. Not a member of the set: it has no role, fault point or data.
   */
  private get gate(): { name: string; port: number } | undefined {
    const { members, gate } = this.ctx.instance.mongo;
    return this.stackHost(members[0]!.name) !== this.host ? gate : undefined;
  }

  private gateNames(): string[] {
    const gate = this.gate;
    return gate ? [gate.name] : [];
  }

  memberNames(): string[] {
    return this.target.members.map((m) => m.name);
  }

  protected memberPorts(member: string): number[] {
    const gate = this.gate;
    if (member === gate?.name) return [gate.port];
    return this.target.members.filter((m) => m.name === member).map((m) => m.port);
  }

  protected override stopOrder(): string[][] {
    return [[...this.memberNames(), ...this.gateNames()]];
  }

  protected async probe(): Promise<ComponentStatus> {
    const status = await probeMongo(this.target);
    const gate = this.gate;
    if (gate && !(await this.isRunning(gate.name))) {
      status.healthy = false;
      status.problems.push(
        `its gate (${gate.name}, SOCKS5 on ${this.host}:${gate.port}) is not running: this machine's clients cannot reach the set; \`pnpm stack:up\` starts it`,
      );
    }
    return status;
  }

  protected async launch(member: string): Promise<MemberLaunch> {
    const { bindHost, dir: dirOf } = this.runtime.placement;
    const port = this.memberPorts(member)[0]!;
    if (member === this.gate?.name)
      return {
        member,
        component: this.name,
        program: 'socks-gate',
        args: ['-i', bindHost, '-p', String(port)],
        ports: [port],
        published: [{ host: port, member: port }],
      };
    const dir = dirOf(member);
    const rs = this.ctx.instance.mongo.replicaSet;
    const common = {
      member,
      component: this.name,
      ports: [port],
      published: [{ host: port, member: port }],
      dirs: ['data'],
    };
    if (this.flavor === 'ferretdb') {
      return {
        ...common,
        program: 'ferretdb',
        args: ferretdbArgs({
          dataDir: `${dir}/data`,
          stateDir: dir,
          host: bindHost,
          port,
          replicaSet: rs,
          logLevel: 'warn',
        }),
      };
    }
    return {
      ...common,
      program: 'mongod',
      args: [
        '--replSet',
        rs,
        '--bind_ip',
        bindHost,
        '--port',
        String(port),
        '--dbpath',
        `${dir}/data`,
        '--oplogSize',
        '128',
        '--wiredTigerCacheSizeGB',
        '0.25',
      ],
    };
  }

  protected async waitUp(member: string): Promise<void> {
    const port = this.memberPorts(member)[0]!;
    const first = this.target.members[0]!;
    const ready =
      member === this.gate?.name
        ? socksGateReaches(this.host, port, { host: this.stackHost(first.name), port: first.port })
        : mongoHello(this.host, port);
    await waitUntil(member, ready, [this.watch(member)]);
  }

  async up(report: Report): Promise<UpOutcome> {
    const available = this.available();
    if (available !== this.flavor) {
      throw new StackError({
        component: 'mongo',
        message: `the data directory was created with ${this.flavor}, but this provider now has ${available}`,
        hint: 'start over with `pnpm stack:up --fresh` (deletes data), or make the previous one available again (MONGOD_BIN, or the same images)',
      });
    }
    await this.ctx.store.setFacts({ mongoFlavor: this.flavor });
    const started = await this.startMissing(
      this.memberNames(),
      report,
      this.flavor === 'mongod' ? 'mongod members' : 'FerretDB',
    );
    if (this.flavor === 'mongod' && !this.ctx.store.state.facts.mongoInitiated) {
      report('initiating replica set');
      await this.initiate();
    }
    // This machine's way to the set's names, once they answer.
    const gate = await this.startMissing(this.gateNames(), report, 'SOCKS5 gate');
    report(this.flavor === 'mongod' ? 'waiting for a primary and 2 secondaries' : 'waiting for the primary');
    await waitFor(
      async () => {
        const status = await this.status();
        if (status.healthy) return true;
        throw new Error(status.problems[0] ?? status.members.find((m) => !m.healthy)?.detail ?? 'not ready');
      },
      {
        component: 'mongo',
        what: this.flavor === 'mongod' ? 'elect a primary with 2 secondaries' : 'answer as primary of rs0',
        timeoutMs: 60_000,
        watch: this.memberNames().map((m) => this.watch(m)),
      },
    );
    return started + gate > 0 ? 'started' : 'already-running';
  }

  private async initiate(): Promise<void> {
    const { mongo } = this.ctx.instance;
    await initiateReplicaSet({
      replicaSet: mongo.replicaSet,
      first: { host: this.host, port: mongo.members[0]!.port },
      members: mongo.members.map((m) => `${this.stackHost(m.name)}:${m.port}`),
    });
    await this.ctx.store.setFacts({ mongoInitiated: true });
  }
}
