import { open, stat } from 'node:fs/promises';
import { afterEach, beforeEach } from 'vitest';

/**
 * In-process services log to LOG_FILE (vitest.config.ts). When a test fails, what they logged
 * while it ran is printed after it (at most the last 40 lines), so the failure comes with its logs.
 */
const file = process.env.LOG_FILE;
const MAX_LINES = 40;
/** Enough for 40 lines of JSON: the tail is read, not the whole test's share. */
const MAX_BYTES = 64 * 1024;
let offset = 0;

const sizeOf = async (path: string) => (await stat(path).catch(() => undefined))?.size ?? 0;

beforeEach(async () => {
  if (file) offset = await sizeOf(file);
});

afterEach(async ({ task }) => {
  if (!file || task.result?.state !== 'fail') return;
  // The loggers write every half second: wait for this test's last lines.
  await new Promise((resolve) => setTimeout(resolve, 600));
  const size = await sizeOf(file);
  if (size <= offset) return;
  const handle = await open(file, 'r');
  try {
    const from = Math.max(offset, size - MAX_BYTES);
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(size - from), 0, size - from, from);
    const lines = buffer.subarray(0, bytesRead).toString('utf8').trimEnd().split('\n');
    // A line cut by the byte cap is dropped.
    const whole = from > offset ? lines.slice(1) : lines;
    console.error(
      `--- the last log lines written while "${task.name}" ran (${file}) ---\n` +
        whole.slice(-MAX_LINES).join('\n'),
    );
  } finally {
    await handle.close();
  }
});
