import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { InjectedFault } from './faults/fault-kind.ts';

/**
 * The faults in place on one instance, one file each under `<instance home>/chaos/active/`: written
 * before a fault is injected and removed once it is reverted. Whatever a run leaves there (it was
 * killed, its machine rebooted) is a leftover that the next run, or `pnpm chaos revert`, undoes.
 */
export class FaultJournal {
  private readonly dir: string;

  constructor(home: string) {
    this.dir = join(home, 'chaos', 'active');
  }

  async record(entry: Omit<InjectedFault, 'id' | 'owner' | 'injectedAt'>): Promise<InjectedFault> {
    await mkdir(this.dir, { recursive: true });
    const full: InjectedFault = {
      ...entry,
      id: `${Date.now().toString(36)}-${randomUUID().slice(0, 8)}`,
      owner: process.pid,
      injectedAt: new Date().toISOString(),
    };
    await writeFile(join(this.dir, `${full.id}.json`), JSON.stringify(full, null, 2));
    return full;
  }

  async remove(id: string): Promise<void> {
    await rm(join(this.dir, `${id}.json`), { force: true });
  }

  async entries(): Promise<InjectedFault[]> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    const entries: InjectedFault[] = [];
    for (const name of names.filter((n) => n.endsWith('.json')).sort()) {
      try {
        entries.push(JSON.parse(await readFile(join(this.dir, name), 'utf8')) as InjectedFault);
      } catch {
        // written half-way by a run that died: nothing was injected after it, so nothing to undo
        await rm(join(this.dir, name), { force: true });
      }
    }
    return entries;
  }

  /** Entries whose run is gone: what a crashed or killed run left in place. */
  async leftovers(): Promise<InjectedFault[]> {
    return (await this.entries()).filter((e) => e.owner !== process.pid && !isAlive(e.owner));
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but is not ours to signal
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
