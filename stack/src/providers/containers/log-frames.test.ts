import { describe, expect, it } from 'vitest';
import { demuxLogs } from './log-frames.ts';

const frame = (stream: 1 | 2, text: string) => {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
};

describe('demuxLogs', () => {
  it('when stdout and stderr frames interleave, then their text comes out in order, without headers', () => {
    const raw = Buffer.concat([frame(1, 'ready\n'), frame(2, 'warning: x\n'), frame(1, 'serving\n')]);
    expect(demuxLogs(raw)).toBe('ready\nwarning: x\nserving');
  });

  it('when the log is plain text (a TTY or another engine), then it is returned as it is', () => {
    expect(demuxLogs(Buffer.from('just text\n'))).toBe('just text\n');
  });

  it('when the last frame is cut short, then the raw text is returned rather than a part', () => {
    const raw = frame(1, 'complete line\n').subarray(0, 12);
    expect(demuxLogs(raw)).toBe(raw.toString('utf8'));
  });
});
