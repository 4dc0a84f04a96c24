import { StackError, waitFor } from '@stackdrill/toolkit';
import type { ComponentStatus } from '../../components/handle.ts';
import { probeMongo, type MongoFlavor, type MongoProbeTarget } from '../../components/mongo/mongo-probe.ts';
import { ferretdbArgs } from '../../components/mongo/ferretdb-args.ts';
import { initiateReplicaSet } from '../../components/mongo/replica-set.ts';
import { mongoHello, waitUntil } from '../../readiness/strategies.ts';
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
    return { host: this.host, replicaSet: mongo.replicaSet, members, flavor: this.flavor };
  }

  memberNames(): string[] {
    return this.target.members.map((m) => m.name);
  }

  protected memberPorts(member: string): number[] {
    return this.target.members.filter((m) => m.name === member).map((m) => m.port);
  }

  protected probe(): Promise<ComponentStatus> {
    return probeMongo(this.target);
  }

  protected async launch(member: string): Promise<MemberLaunch> {
    const { bindHost, dir: dirOf } = this.runtime.placement;
    const dir = dirOf(member);
    const port = this.memberPorts(member)[0]!;
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
    await waitUntil(member, mongoHello(this.host, port), [this.watch(member)]);
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
    return started > 0 ? 'started' : 'already-running';
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
