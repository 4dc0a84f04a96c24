import { describe, expect, it } from 'vitest';
import { gatedMongoUri, mongoUri } from './mongo-probe.ts';

const members = [
  { name: 'mongo-0', port: 30517 },
  { name: 'mongo-1', port: 30518 },
  { name: 'mongo-2', port: 30519 },
];
const gate = { host: '127.0.0.1', port: 30520 };

describe('the URIs MongoDB clients use', () => {
  it('when the members are on this machine, then the URI names them here, with the set and majority writes', () => {
    expect(mongoUri({ host: '127.0.0.1', replicaSet: 'rs0', members })).toBe(
      'mongodb://127.0.0.1:30517,127.0.0.1:30518,127.0.0.1:30519/?replicaSet=rs0&w=majority',
    );
  });

  it('when a replica set is reached through a gate, then the URI names the members as the set does and carries the gate as the driver’s proxy', () => {
    expect(gatedMongoUri({ replicaSet: 'rs0', members, flavor: 'mongod' }, gate, (m) => m.name)).toBe(
      'mongodb://mongo-0:30517,mongo-1:30518,mongo-2:30519/?replicaSet=rs0&w=majority&proxyHost=127.0.0.1&proxyPort=30520',
    );
  });

  it('when FerretDB is reached through a gate, then the connection is direct (its hello names 0.0.0.0, which the gate would take for itself)', () => {
    expect(
      gatedMongoUri(
        { replicaSet: 'rs0', members: members.slice(0, 1), flavor: 'ferretdb' },
        gate,
        (m) => m.name,
      ),
    ).toBe('mongodb://mongo-0:30517/?directConnection=true&w=majority&proxyHost=127.0.0.1&proxyPort=30520');
  });
});
