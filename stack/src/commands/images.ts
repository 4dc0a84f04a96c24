import { parseCli, seconds, UsageError } from '@stackdrill/toolkit';
import pc from 'picocolors';
import { doctorLine } from '../doctor/doctor.ts';
import { buildImages, IMAGES, OFFLINE_BASE, type ImagesEvent } from '../images/build-images.ts';

const USAGE = `pnpm images:build [--offline] [--only NAME,...]
  Builds the stack's container images (stack/images/) with the engine's CLI (podman, else docker),
  reusing its layer cache: a rebuild with no change takes seconds. --offline builds them on a
  Debian 12 base made here with debootstrap (${OFFLINE_BASE}), from Debian's packages: no
  registry is needed. The doctor installs and configures Podman when no Docker engine answers.
  Images: ${IMAGES.map((i) => `${i.name} (${i.tag}${i.modes?.length === 1 ? `, with --${i.modes[0]} only` : ''})`).join(', ')}.
  Online the stack runs the official apache/kafka and mongo images (stack:up pulls them) instead of
  its own Kafka and FerretDB.`;

export async function images(argv: string[]): Promise<number> {
  const { values } = parseCli(argv, {
    offline: { type: 'boolean', default: false },
    only: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const only = values.only?.split(',');
  const unknown = only?.filter((name) => !IMAGES.some((i) => i.name === name)) ?? [];
  if (unknown.length)
    throw new UsageError(
      `no image named ${unknown.join(', ')}; images: ${IMAGES.map((i) => i.name).join(', ')}`,
    );
  const mode = values.offline ? 'offline' : 'public';
  const otherMode = only?.filter(
    (name) => !(IMAGES.find((i) => i.name === name)!.modes ?? [mode]).includes(mode),
  );
  if (otherMode?.length)
    throw new UsageError(
      `${otherMode.join(', ')} ${otherMode.length > 1 ? 'are' : 'is'} built with --offline only: online the stack runs the official images instead (apache/kafka, and a replica set of mongo for FerretDB), which stack:up pulls`,
    );
  const t0 = Date.now();
  const built = await buildImages({
    offline: values.offline,
    ...(only ? { only } : {}),
    onEvent: printImagesEvent,
  });
  console.log(`${built.length} image(s) ready in ${seconds(Date.now() - t0)}`);
  return 0;
}

/** One line per step of a build (also `stack:up`'s, when it builds a missing image). */
export function printImagesEvent(event: ImagesEvent): void {
  switch (event.type) {
    case 'doctor':
      // What it had to install or change (Podman's settings among them); what was there is quiet.
      if (event.event.state !== 'ok' && event.event.state !== 'skipped') console.log(doctorLine(event.event));
      break;
    case 'engine':
      console.log(`building with ${event.cli}`);
      break;
    case 'base':
      if (event.state === 'present') console.log(`base ${OFFLINE_BASE}: present`);
      else if (event.state === 'bootstrapping')
        console.log(`base ${OFFLINE_BASE}: debootstrap bookworm (about 30 s)...`);
      else if (event.state === 'importing') console.log(`base ${OFFLINE_BASE}: importing...`);
      else console.log(`base ${OFFLINE_BASE}: made in ${seconds(event.ms ?? 0)}`);
      break;
    case 'building':
      console.log(`${event.image}: building...`);
      break;
    case 'built':
      console.log(`${pc.green('✔')} ${event.image}: ${event.tag} in ${seconds(event.ms)}`);
      break;
  }
}
