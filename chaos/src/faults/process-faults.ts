import type { ComponentHandle } from '@stackdrill/stack';
import { z } from 'zod';
import type { FaultKind } from './fault-kind.ts';

const ALL = ['mongo', 'redis', 'kafka', 'app'] as const;
const noParams = z.strictObject({});

/** Brings a member back when its protocol reports it down; leaves a running one alone. */
async function restartIfDown(handle: ComponentHandle, member: string): Promise<void> {
  const [now] = (await handle.members()).filter((m) => m.name === member);
  if (!now || now.role === 'down') await handle.restart(member);
}

/** SIGKILL (a container's kill, a pod's deletion): no shutdown hooks, no flush. */
export const kill: FaultKind = {
  name: 'kill',
  layer: 'process',
  summary:
    'SIGKILL the member (no graceful shutdown); the revert starts it again with its data if it is still down',
  params: noParams,
  components: ALL,
  inject: (_provider, handle, member) => handle.kill(member),
  revert: (_provider, handle, member) => restartIfDown(handle, member),
};

/** SIGSTOP / container pause: it keeps its sockets open and answers nothing, as a long GC pause or a hung host. */
export const freeze: FaultKind = {
  name: 'freeze',
  layer: 'process',
  summary:
    'freeze the member (SIGSTOP, or a container pause): connections stay open, nothing is answered; the revert thaws it',
  params: noParams,
  components: ALL,
  inject: (_provider, handle, member) => handle.pause(member),
  revert: (_provider, handle, member) => handle.resume(member),
};

/** A graceful restart (SIGTERM, wait, start with the same data): a rolling deploy's step. */
export const restart: FaultKind = {
  name: 'restart',
  layer: 'process',
  summary: 'stop the member gracefully and start it again with the same data, waiting until it is ready',
  params: noParams,
  components: ALL,
  instant: true,
  inject: (_provider, handle, member) => handle.restart(member),
  revert: (_provider, handle, member) => restartIfDown(handle, member),
};
