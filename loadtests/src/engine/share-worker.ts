// A worker thread running one share of a load run (see runner.ts). It says 'ready' once loaded, starts
// on the parent's clock, hands its ticks over as they come; an 'abort' message stops it like Ctrl-C.
import { parentPort, workerData } from 'node:worker_threads';
import { runShare, type ShareConfig } from './share.ts';

const port = parentPort!;
const abort = new AbortController();
const start = new Promise<number>((resolve) =>
  port.on('message', (message: { type: 'start'; startEpochMs: number } | { type: 'abort' }) => {
    if (message.type === 'start') resolve(message.startEpochMs);
    else abort.abort();
  }),
);
port.postMessage({ type: 'ready' });
try {
  const config: ShareConfig = { ...(workerData as ShareConfig), startEpochMs: await start };
  await runShare(config, (tick) => port.postMessage({ type: 'tick', tick }), { signal: abort.signal });
  port.postMessage({ type: 'done' });
} catch (error) {
  port.postMessage({ type: 'failed', message: (error as Error).stack ?? String(error) });
}
port.close();
