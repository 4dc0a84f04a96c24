// The sinks process: SMTP on SMTP_PORT, the inbox and webhook API on HTTP_PORT (loopback only).
import { Sinks } from './sinks.ts';

const port = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    console.error(`${name} must be a port number, got "${process.env[name]}"`);
    process.exit(1);
  }
  return value;
};

const sinks = new Sinks();
const bound = await sinks.start({ smtp: port('SMTP_PORT', 1025), http: port('HTTP_PORT', 8025) });
console.log(`mail sink on smtp://127.0.0.1:${bound.smtpPort}, inbox and webhooks at ${bound.httpUrl}`);
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => void sinks.stop().then(() => process.exit(0)));
}
