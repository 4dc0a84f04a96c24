import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FaultJournal } from './journal.ts';

describe('FaultJournal', () => {
  let home: string;
  beforeEach(async () => {
    home = await mkdtemp(join(tmpdir(), 'chaos-journal-'));
  });
  afterEach(async () => {
    await rm(home, { recursive: true, force: true });
  });

  const entry = { fault: 'freeze', component: 'redis' as const, member: 'redis-1', params: {} };

  it('when a fault is recorded and removed, then the journal holds it in between and nothing after', async () => {
    const journal = new FaultJournal(home);
    const recorded = await journal.record(entry);
    expect(recorded.owner).toBe(process.pid);
    expect(await journal.entries()).toEqual([recorded]);
    // Ours, and we are alive: not a leftover.
    expect(await journal.leftovers()).toEqual([]);
    await journal.remove(recorded.id);
    expect(await journal.entries()).toEqual([]);
  });

  it('when the run that recorded a fault is gone, then its entry is a leftover', async () => {
    const journal = new FaultJournal(home);
    const recorded = await journal.record(entry);
    // A PID that existed and has exited: a child we ran to completion.
    const gone = spawnSync(process.execPath, ['-e', 'process.pid'], { encoding: 'utf8' }).pid!;
    const file = join(home, 'chaos', 'active', `${recorded.id}.json`);
    await writeFile(file, JSON.stringify({ ...recorded, owner: gone }));
    expect((await journal.leftovers()).map((e) => e.member)).toEqual(['redis-1']);
  });

  it('when an entry was written half-way, then it is dropped (nothing was injected after it)', async () => {
    const journal = new FaultJournal(home);
    await journal.record(entry);
    await writeFile(join(home, 'chaos', 'active', 'zz-torn.json'), '{"fault": "fre');
    expect((await journal.entries()).map((e) => e.member)).toEqual(['redis-1']);
    expect(await readdir(join(home, 'chaos', 'active'))).toHaveLength(1);
  });
});
