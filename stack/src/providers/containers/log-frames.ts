/**
 * A container's log as the Docker API returns it without a TTY: frames of an 8-byte header (stream
 * type, 3 zero bytes, big-endian payload length) and the payload. Returns the text of every frame,
 * in order; a buffer that is not framed (an engine that sends plain text) is returned as it is.
 */
export function demuxLogs(raw: Buffer): string {
  const parts: Buffer[] = [];
  let at = 0;
  while (at + 8 <= raw.length) {
    const type = raw[at]!;
    if (type > 2 || raw[at + 1] !== 0 || raw[at + 2] !== 0 || raw[at + 3] !== 0) return raw.toString('utf8');
    const length = raw.readUInt32BE(at + 4);
    parts.push(raw.subarray(at + 8, at + 8 + length));
    at += 8 + length;
  }
  if (at !== raw.length) return raw.toString('utf8');
  return Buffer.concat(parts).toString('utf8').trimEnd();
}
