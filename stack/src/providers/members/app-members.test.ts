import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Endpoints } from '../../components/handle.ts';
import { StateStore } from '../../process/state-store.ts';
import { resolveInstance } from '@stackdrill/facts';
import { AppMembers } from './app-members.ts';
import type { MemberLaunch, MemberRuntime } from './member-runtime.ts';

// The app's secrets as the stack renders them into the members' environments (nothing starts).
let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

const endpoints: Omit<Endpoints, 'app'> = {
  mongo: { uri: 'mongodb://127.0.0.1:28017/?replicaSet=rs0', replicaSet: 'rs0', members: [] },
  redis: { masterName: 'stackdrill', sentinels: [{ host: '127.0.0.1', port: 27379 }], dataNodes: [] },
  kafka: { brokers: ['127.0.0.1:10092'], topics: [] },
};

async function appWithState(facts: object): Promise<{ app: AppMembers; stateFile: string }> {
  dir = await mkdtemp(join(tmpdir(), 'app-members-'));
  const stateFile = join(dir, 'state.json');
  await writeFile(
    stateFile,
    JSON.stringify({ version: 1, instance: 'test', provider: 'native', processes: {}, facts }),
  );
  const store = await StateStore.open(stateFile, 'test', 'native');
  // Only the placement is read: rendering a launch starts nothing.
  const runtime = {
    placement: { bindHost: '127.0.0.1', stackHost: () => '127.0.0.1', dir: (m: string) => join(dir!, m) },
  } as unknown as MemberRuntime;
  const ctx = { instance: resolveInstance('test'), store, runtime };
  return { app: new AppMembers(ctx, () => endpoints), stateFile };
}

const envOf = async (app: AppMembers, member: string): Promise<Record<string, string | undefined>> =>
  (await (app as unknown as { launch(name: string): Promise<MemberLaunch> }).launch(member)).env ?? {};

describe('the app secrets of a stack', () => {
  it('when a stack from before the load key starts, then it keeps its JWT and API keys and gets a load key, kept for the next start', async () => {
    const old = { jwtSecret: 'j'.repeat(43), internalApiKey: 'i'.repeat(43) };
    const { app, stateFile } = await appWithState({ appSecrets: old });
    const gateway = await envOf(app, 'gateway');
    expect(gateway.JWT_SECRET).toBe(old.jwtSecret);
    expect(gateway.INTERNAL_API_KEY).toBe(old.internalApiKey);
    expect(gateway.LOAD_KEY).toMatch(/^[\w-]{43}$/);
    expect(gateway.RATE_LIMIT_LOAD_PER_MIN).toBe('60000');
    const kept = JSON.parse(await readFile(stateFile, 'utf8')).facts.appSecrets;
    expect(kept).toEqual({ ...old, loadKey: gateway.LOAD_KEY });
    // The services do not get the load key: only the gateway verifies marks.
    expect((await envOf(app, 'order')).LOAD_KEY).toBeUndefined();
  });

  it('when a stack starts for the first time, then all three keys are made and differ', async () => {
    const { app } = await appWithState({});
    const gateway = await envOf(app, 'gateway');
    const keys = [gateway.JWT_SECRET, gateway.INTERNAL_API_KEY, gateway.LOAD_KEY];
    for (const key of keys) expect(key).toMatch(/^[\w-]{43}$/);
    expect(new Set(keys).size).toBe(3);
  });
});
