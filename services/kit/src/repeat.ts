import type { Logger } from './logger.ts';
import type { Closer } from './service.ts';

/**
 * Runs `task` every `everyMs` in the background, one run at a time (a slow run delays the next, it
 * never overlaps it), for the sweepers and roll-ups every replica runs. A failed run is logged and
 * the next one tries again. The returned closer stops it and waits for a run in progress.
 */
export function repeatEvery(
  what: string,
  everyMs: number,
  task: () => Promise<unknown>,
  logger: Logger,
  options: { atOnce?: boolean } = {},
): Closer {
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  const tick = () => {
    running = task()
      .then(
        () => undefined,
        (error: unknown) =>
          logger.warn({ err: error }, `${what} failed; trying again in ${everyMs / 1000} s`),
      )
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, everyMs).unref();
      });
  };
  if (options.atOnce) tick();
  else timer = setTimeout(tick, everyMs).unref();
  return {
    name: what,
    close: async () => {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
