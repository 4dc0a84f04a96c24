import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { cruise, type IForbiddenRuleType } from 'dependency-cruiser';
import { afterEach, describe, expect, it } from 'vitest';

// The package graph's rules (.dependency-cruiser.cjs, run by `pnpm lint`) on small trees that
// break each of them: a rule that catches nothing would let the graph rot unnoticed.
const { forbidden } = createRequire(import.meta.url)('../.dependency-cruiser.cjs') as {
  forbidden: IForbiddenRuleType[];
};

let root: string | undefined;
afterEach(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

/** Writes the files (path → the paths it imports) and returns the rules each import breaks. */
async function violations(files: Record<string, string[]>): Promise<string[]> {
  root = await mkdtemp(join(tmpdir(), 'stackdrill-deps-'));
  for (const [path, imports] of Object.entries(files)) {
    await mkdir(join(root, dirname(path)), { recursive: true });
    const lines = imports.map((to, i) => `import * as m${i} from '${to}';`);
    await writeFile(join(root, path), `${lines.join('\n')}\nexport const here = '${path}';\n`);
  }
  const result = await cruise([...new Set(Object.keys(files).map((p) => p.split('/')[0]!))], {
    baseDir: root,
    ruleSet: { forbidden },
    validate: true,
  });
  const output = result.output as { summary: { violations: { rule: { name: string }; from: string }[] } };
  return output.summary.violations.map((v) => `${v.rule.name}: ${v.from}`).sort();
}

describe('the package graph rules', () => {
  it('when stack and loadtests import each other, then both the cycle and the edge down from stack are errors', async () => {
    const found = await violations({
      'stack/src/bench.js': ['../../loadtests/src/engine.js'],
      'loadtests/src/engine.js': ['../../stack/src/topology.js'],
      'stack/src/topology.js': ['./bench.js'],
    });
    // A cycle is reported once, from one of its modules.
    expect(new Set(found.map((v) => v.split(':')[0]))).toEqual(
      new Set(['no-package-cycle', 'stack-not-to-loadtests']),
    );
    expect(found).toContain('stack-not-to-loadtests: stack/src/bench.js');
  });

  it('when library code or a service imports the CLI, then that is an error', async () => {
    expect(
      await violations({
        'stack/src/up.js': ['../../scripts/stack-up.js'],
        'services/order/src/main.js': ['../../../scripts/stack-up.js'],
        'scripts/stack-up.js': [],
      }),
    ).toEqual(['nothing-to-scripts: services/order/src/main.js', 'nothing-to-scripts: stack/src/up.js']);
  });

  it("when a service imports the harness, then that is an error, but the facts and a test's provider are not", async () => {
    expect(
      await violations({
        'services/kit/src/events.js': ['../../../stack/facts/src/topology.js'],
        'services/order/src/orders.js': ['../../../stack/src/providers/native.js'],
        'services/order/src/orders.int.test.ts': ['../../../stack/src/providers/native.js'],
        'stack/facts/src/topology.js': [],
        'stack/src/providers/native.js': ['../../facts/src/topology.js'],
      }),
    ).toEqual(['services-only-to-the-facts: services/order/src/orders.js']);
  });

  it('when a command or a test imports a native provider class, then that is an error, but the registry and the native classes themselves may', async () => {
    expect(
      await violations({
        'stack/src/commands/up.js': ['../providers/native/native-provider.js'],
        'stack/src/components/mongo/indexes.int.test.js': ['../../providers/native/native-provider.js'],
        'stack/src/providers/registry.js': ['./native/native-provider.js'],
        'stack/src/providers/native/native-provider.js': ['./mongo-native.js'],
        'stack/src/providers/native/mongo-native.js': [],
      }),
    ).toEqual([
      'native-only-through-the-registry: stack/src/commands/up.js',
      'native-only-through-the-registry: stack/src/components/mongo/indexes.int.test.js',
    ]);
  });

  it('when the facts import anything of the project, then that is an error', async () => {
    expect(
      await violations({
        'stack/facts/src/topology.js': ['../../src/providers/registry.js'],
        'stack/facts/src/instance.js': ['../../toolkit/src/errors.js'],
        'stack/src/providers/registry.js': [],
        'stack/toolkit/src/errors.js': [],
      }),
    ).toEqual([
      'facts-are-a-leaf: stack/facts/src/instance.js',
      'facts-are-a-leaf: stack/facts/src/topology.js',
    ]);
  });

  it('when the toolkit imports anything of the project, even the facts, then that is an error', async () => {
    expect(
      await violations({
        'stack/toolkit/src/owned-processes.js': ['../../src/paths.js'],
        'stack/toolkit/src/wait-for.js': ['../../facts/src/topology.js', './errors.js'],
        'stack/toolkit/src/errors.js': [],
        'stack/src/paths.js': [],
        'stack/facts/src/topology.js': [],
      }),
    ).toEqual([
      'toolkit-is-a-leaf: stack/toolkit/src/owned-processes.js',
      'toolkit-is-a-leaf: stack/toolkit/src/wait-for.js',
    ]);
  });

  it("when chaos or a drill imports a provider's or a component's internals, then that is an error, but the stack's public entry is not", async () => {
    expect(
      await violations({
        'chaos/src/kill.js': ['../../stack/src/components/redis/redis-probe.js', '../../stack/src/index.js'],
        'dr-drills/src/failover.js': ['../../stack/src/providers/provider.js'],
        'stack/src/index.js': [],
        'stack/src/components/redis/redis-probe.js': [],
        'stack/src/providers/provider.js': [],
      }),
    ).toEqual([
      'chaos-and-drills-through-the-provider: chaos/src/kill.js',
      'chaos-and-drills-through-the-provider: dr-drills/src/failover.js',
    ]);
  });

  it('when chaos imports a drill, then that is an error, but a drill importing chaos is not', async () => {
    expect(
      await violations({
        'chaos/src/experiment.js': ['../../dr-drills/src/drill.js'],
        'dr-drills/src/drill.js': ['../../chaos/src/index.js'],
        'chaos/src/index.js': [],
      }),
    ).toEqual(expect.arrayContaining(['chaos-below-the-drills: chaos/src/experiment.js']));
  });

  it('when the layers point one way, then nothing is reported', async () => {
    expect(
      await violations({
        'scripts/load.js': [
          '../loadtests/src/engine.js',
          '../stack/src/index.js',
          '../stack/toolkit/src/index.js',
        ],
        'loadtests/src/engine.js': ['../../stack/src/index.js', '../../stack/toolkit/src/index.js'],
        'stack/src/index.js': ['../facts/src/topology.js', '../toolkit/src/index.js'],
        'stack/facts/src/topology.js': [],
        'stack/toolkit/src/index.js': [],
      }),
    ).toEqual([]);
  });
});
