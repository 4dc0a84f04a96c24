import { mkdir } from 'node:fs/promises';
import { StackError, waitFor } from '@stackdrill/toolkit';
import type { ComponentStatus } from '../../components/handle.ts';
import { probeMongo, type MongoFlavor, type MongoProbeTarget } from '../../components/mongo/mongo-probe.ts';
import { ferretdbArgs } from '../../components/mongo/ferretdb-args.ts';
import type { ProcessSpec } from '../../process/supervisor.ts';
import { initiateReplicaSet } from '../../components/mongo/replica-set.ts';
import { mongoHello, waitUntil } from '../../readiness/strategies.ts';
import { NativeComponent, type Report, type UpOutcome } from './native-component.ts';

/**
 * MongoDB as a 3-member replica set of real `mongod` processes when a `mongod` binary exists;
 * otherwise FerretDB (one process on SQLite, answering `hello` as set `rs0`) stands in.
 */
export class NativeMongo extends NativeComponent {
  readonly name = 'mongo' as const;
  protected readonly stopGraceMs = 8000;

  /** What the data directory was made with wins; a new stack uses mongod when there is one. */
  get flavor(): MongoFlavor {
    return this.ctx.store.state.facts.mongoFlavor ?? (this.ctx.tools.mongod ? 'mongod' : 'ferretdb');
  }

  get target(): MongoProbeTarget {
    const { host, mongo } = this.ctx.instance;
    // FerretDB has no replication: it runs as the first member only.
    const members = this.flavor === 'mongod' ? mongo.members : mongo.members.slice(0, 1);
    return { host, replicaSet: mongo.replicaSet, members, flavor: this.flavor };
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

  protected async prepare(member: string): Promise<ProcessSpec> {
    const dir = this.ctx.paths.member(member);
    await mkdir(`${dir}/data`, { recursive: true });
    const port = this.memberPorts(member)[0]!;
    const host = this.ctx.instance.host;
    const rs = this.ctx.instance.mongo.replicaSet;
    const args =
      this.flavor === 'mongod'
        ? [
            '--replSet',
            rs,
            '--bind_ip',
            host,
            '--port',
            String(port),
            '--dbpath',
            `${dir}/data`,
            '--oplogSize',
            '128',
            '--wiredTigerCacheSizeGB',
            '0.25',
          ]
        : ferretdbArgs({
            dataDir: `${dir}/data`,
            stateDir: dir,
            host,
            port,
            replicaSet: rs,
            logLevel: 'warn',
          });
    return {
      member,
      component: this.name,
      command: this.flavor === 'mongod' ? this.ctx.tools.mongod! : this.ctx.tools.ferretdb,
      args,
      cwd: dir,
      logFile: this.ctx.paths.log(member),
    };
  }

  protected async waitUp(member: string): Promise<void> {
    const port = this.memberPorts(member)[0]!;
    await waitUntil(member, mongoHello(this.ctx.instance.host, port), [this.watch(member)]);
  }

  async up(report: Report): Promise<UpOutcome> {
    const available: MongoFlavor = this.ctx.tools.mongod ? 'mongod' : 'ferretdb';
    if (available !== this.flavor) {
      throw new StackError({
        component: 'mongo',
        message: `the data directory was created with ${this.flavor}, but this machine now has ${available}`,
        hint: 'start over with `pnpm stack:up --fresh` (deletes data), or make the previous binary available (MONGOD_BIN)',
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
    const { host, mongo } = this.ctx.instance;
    await initiateReplicaSet({
      replicaSet: mongo.replicaSet,
      first: { host, port: mongo.members[0]!.port },
      members: mongo.members.map((m) => `${host}:${m.port}`),
    });
    await this.ctx.store.setFacts({ mongoInitiated: true });
  }
}
