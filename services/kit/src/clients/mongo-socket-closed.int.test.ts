import { createRequire } from 'node:module';
import { connect as tcp } from 'node:net';
import { resolveInstance } from '@stackdrill/facts';
import { describe, expect, it } from 'vitest';

// patches/mongodb@6.22.0.patch, against the test stack's MongoDB. The driver (6.22, and 7.9 too)
// waited for 'drain' when a command's write found its socket closed: nothing settled the wait, the
// command hung forever. When that command was the monitor's hello, the server stayed Unknown and
// every operation of the service failed server selection for good (seen after a Kafka zone loss:
// the analytics service was unready until restarted). The driver's own Connection is used here,
// as the monitor uses it.
const require = createRequire(import.meta.url);
const { makeConnection } = require('mongodb/lib/cmap/connect') as {
  makeConnection: (options: Record<string, unknown>, socket: unknown) => DriverConnection;
};
const { Connection } = require('mongodb/lib/cmap/connection') as { Connection: unknown };
const { ns } = require('mongodb/lib/utils') as { ns: (s: string) => unknown };

interface DriverConnection {
  description: { receiveResponse(hello: Record<string, unknown>): void };
  command(ns: unknown, cmd: Record<string, unknown>, options: Record<string, unknown>): Promise<unknown>;
}

describe('the MongoDB driver, patched', () => {
  it('when a command is written to a socket that has closed, then it fails as a network error instead of hanging', async () => {
    const { host, mongo } = resolveInstance('test');
    const port = mongo.members[0]!.port;
    const socket = tcp({ host, port });
    await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const connection = makeConnection(
      {
        id: 1,
        generation: 0,
        hostAddress: { toString: () => `${host}:${port}` },
        connectionType: Connection,
        socketTimeoutMS: 0,
        monitorCommands: false,
      },
      socket,
    );
    connection.description.receiveResponse({ maxWireVersion: 21, minWireVersion: 0 });
    expect(await connection.command(ns('admin.$cmd'), { ping: 1 }, {})).toMatchObject({ ok: 1 });

    socket.destroy();
    const outcome = await Promise.race([
      connection.command(ns('admin.$cmd'), { ping: 1 }, {}).then(
        () => 'answered',
        (error: Error) => `${error.name}: ${error.message}`,
      ),
      new Promise((resolve) => setTimeout(() => resolve('still waiting after 3 s'), 3000)),
    ]);
    expect(outcome).toBe(`MongoNetworkError: connection 1 to ${host}:${port} closed`);
  });
});
