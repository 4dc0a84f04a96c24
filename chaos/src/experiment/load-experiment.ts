import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '@stackdrill/toolkit';
import { parseDocument } from 'yaml';
import { faultKind } from '../faults/catalogue.ts';
import { parseSelector } from '../targets.ts';
import { Experiment } from './schema.ts';

/** The experiments that ship with stackdrill: `chaos/experiments/<name>.yaml`. */
export const EXPERIMENTS_DIR = fileURLToPath(new URL('../../experiments/', import.meta.url));

export function experimentNames(): string[] {
  return readdirSync(EXPERIMENTS_DIR)
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => basename(f, extname(f)))
    .sort();
}

/** Whether a name on the command line is an experiment (a shipped one, or a file) rather than a fault. */
export function isExperiment(nameOrPath: string): boolean {
  return /\.(ya?ml|json)$/.test(nameOrPath) || experimentNames().includes(nameOrPath);
}

/**
 * Reads and validates an experiment: a shipped one by name, or a YAML/JSON file by path. Every
 * problem is a UsageError naming the file and the place in it (YAML syntax with its line, a schema
 * issue with its path, an unknown fault or a malformed target), raised before anything is touched.
 */
export async function loadExperiment(nameOrPath: string): Promise<{ path: string; experiment: Experiment }> {
  const path = /[/\\]|\.(ya?ml|json)$/.test(nameOrPath)
    ? resolve(nameOrPath)
    : join(EXPERIMENTS_DIR, `${nameOrPath}.yaml`);
  if (!existsSync(path)) {
    throw new UsageError(
      `no experiment "${nameOrPath}" (${path}); shipped experiments: ${experimentNames().join(', ')}`,
    );
  }
  return { path, experiment: parseExperiment(await readFile(path, 'utf8'), path) };
}

export function parseExperiment(text: string, source: string): Experiment {
  const document = parseDocument(text, { prettyErrors: true });
  if (document.errors.length) {
    throw new UsageError(`${source} is not valid YAML: ${document.errors.map((e) => e.message).join('; ')}`);
  }
  const checked = Experiment.safeParse(document.toJS());
  if (!checked.success) {
    const issues = checked.error.issues.map((i) => `  at ${i.path.join('.') || '(top)'}: ${i.message}`);
    throw new UsageError(`${source} is not a valid experiment:\n${issues.join('\n')}`);
  }
  const experiment = checked.data;
  experiment.method.forEach((step, i) => {
    if (step.type !== 'action') return;
    const where = `${source}: method.${i} (${step.name})`;
    try {
      faultKind(step.provider.fault);
      parseSelector(step.provider.target);
    } catch (error) {
      throw new UsageError(`${where}: ${(error as Error).message}`);
    }
  });
  return experiment;
}
