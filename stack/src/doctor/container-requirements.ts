import { readFile, writeFile } from 'node:fs/promises';
import { pathExists } from '@stackdrill/toolkit';
import { tryOutput } from './exec.ts';
import type { Requirement } from './requirements.ts';

/** The CNI plugin that lets containers on a Podman network resolve each other's names. */
const CNI_DNSNAME = '/usr/lib/cni/dnsname';

/** Podman's engine settings (containers.conf(5)); Debian's podman reads this file first. */
export const CONTAINERS_CONF = '/etc/containers/containers.conf';

/**
 * What Podman needs on machines like this one (../shared/MACHINE.md): crun fails with "cgroups in
 * hybrid mode not supported", and neither runtime may raise RLIMIT_NOFILE/NPROC in a sandbox, so
 * runc and no default ulimits. Both are harmless where they are not needed.
 */
const SETTINGS = [
  { section: 'containers', line: 'default_ulimits = []', key: 'default_ulimits' },
  { section: 'engine', line: 'runtime = "runc"', key: 'runtime' },
] as const;

/** The settings `conf` does not make yet (a key set to anything else is the owner's choice, and kept). */
export function missingSettings(conf: string): (typeof SETTINGS)[number][] {
  return SETTINGS.filter((s) => !new RegExp(`^\\s*${s.key}\\s*=`, 'm').test(conf));
}

/** `conf` with the missing settings added under their sections (made when absent). */
export function withSettings(conf: string): string {
  let text = conf;
  for (const setting of missingSettings(conf)) {
    const header = new RegExp(`^\\[${setting.section}\\]\\s*$`, 'm');
    const match = header.exec(text);
    if (match) {
      const at = match.index + match[0].length;
      text = `${text.slice(0, at)}\n${setting.line}${text.slice(at)}`;
    } else {
      text = `${text.replace(/\n*$/, '')}${text.trim() ? '\n\n' : ''}[${setting.section}]\n${setting.line}\n`;
    }
  }
  return text;
}

const dockerAnswers = async () =>
  (await tryOutput('docker', ['info', '--format', '{{.ServerVersion}}'])) !== undefined;

/**
 * Podman, for the containers provider and the offline images, where no Docker engine answers:
 * installed from Debian and configured as this machine kind needs (the doctor says what it wrote).
 */
export const podman: Requirement = {
  name: 'podman',
  purpose:
    'the container engine of the containers provider and `pnpm images:build` (no Docker engine answers)',
  neededWhen: async () => !(await dockerAnswers()),
  async check() {
    const version = await tryOutput('podman', ['--version']);
    if (!version) return { missing: 'podman is not on PATH' };
    const conf = await readFile(CONTAINERS_CONF, 'utf8').catch(() => '');
    const missing = missingSettings(conf);
    if (missing.length)
      return { missing: `${CONTAINERS_CONF} does not set ${missing.map((s) => s.line).join(', ')}` };
    // The stack's members find each other by name: on CNI networks only with the dnsname plugin
    // (netavark brings aardvark-dns).
    const backend = (await tryOutput('podman', ['info', '--format', '{{.Host.NetworkBackend}}']))?.trim();
    if (backend === 'cni' && !(await pathExists(CNI_DNSNAME)))
      return { missing: `Podman's CNI networks resolve no names (${CNI_DNSNAME} is missing)` };
    return {
      found: `${version.trim()} (${CONTAINERS_CONF}: runc, no default ulimits; ${backend} networks with DNS)`,
    };
  },
  debianPackages: ['podman', 'runc', 'golang-github-containernetworking-plugin-dnsname'],
  async install() {
    const conf = await readFile(CONTAINERS_CONF, 'utf8').catch(() => '');
    await writeFile(CONTAINERS_CONF, withSettings(conf));
  },
  manual: `sudo apt-get install -y podman runc golang-github-containernetworking-plugin-dnsname, and in ${CONTAINERS_CONF}: [containers] default_ulimits = [] and [engine] runtime = "runc"`,
};

/** debootstrap makes the Debian root filesystem the offline images are built on. */
export const debootstrap: Requirement = {
  name: 'debootstrap',
  purpose: 'the Debian base of the offline images (`pnpm images:build --offline`)',
  async check() {
    const version = await tryOutput('debootstrap', ['--version']);
    return version ? { found: version.trim() } : { missing: 'debootstrap is not on PATH' };
  },
  debianPackages: ['debootstrap'],
  manual: 'sudo apt-get install -y debootstrap',
};
