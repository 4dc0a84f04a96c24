// The sinks process: SMTP on SMTP_PORT, the inbox and webhook API on HTTP_PORT, on HOST (default:
// loopback only; a container binds every address of its own network namespace).
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
const host = process.env.HOST ?? '127.0.0.1';
const bound = await sinks.start({ smtp: port('SMTP_PORT', 1025), http: port('HTTP_PORT', 8025) }, host);
console.log(`mail sink on smtp://${host}:${bound.smtpPort}, inbox and webhooks at ${bound.httpUrl}`);
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => void sinks.stop().then(() => process.exit(0)));
}
