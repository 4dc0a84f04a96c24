// The package graph's rules, checked by `pnpm lint` (depcruise). Layers, bottom up: the facts
// (stack/facts, @stackdrill/facts), the toolkit (stack/toolkit, @stackdrill/toolkit: CLI parsing, errors, child
// processes) and the frontend; stack (components, providers, doctor); loadtests (the load engine and the
// benches); chaos (faults, experiments); dr-drills (on the chaos runner); scripts, the CLI on top. A rule's test is
// scripts/dependency-rules.test.ts: it runs these rules on fixtures that break each one.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-package-cycle',
      comment: 'Packages import each other in one direction only (a cycle makes every layer depend on all).',
      severity: 'error',
      from: {},
      to: {
        circular: true,
        viaOnly: { path: '^(stack|loadtests|frontend|services|scripts|chaos|dr-drills)/' },
      },
    },
    {
      name: 'stack-not-to-loadtests',
      comment: 'stack is below the load engine and the benches: they use it, never the other way.',
      severity: 'error',
      from: { path: '^stack/' },
      to: { path: '^loadtests/' },
    },
    {
      name: 'nothing-to-scripts',
      comment: 'scripts/ is the CLI on top: library code calls libraries, never its own CLI.',
      severity: 'error',
      from: { path: '^(stack|loadtests|frontend|services|chaos|dr-drills)/' },
      to: { path: '^scripts/' },
    },
    {
      name: 'services-only-to-the-facts',
      comment:
        'A service depends on the kit and on the facts (the topology), not on the harness that runs it.',
      severity: 'error',
      // Tests reach a running stack through the provider, as every test does.
      from: { path: '^services/', pathNot: '\\.test\\.ts$' },
      to: { path: '^(stack|loadtests)/', pathNot: '^stack/facts/' },
    },
    {
      name: 'facts-are-a-leaf',
      comment:
        'The facts (topology, instances, sizes, versions) import nothing of the project: every layer reads them.',
      severity: 'error',
      from: { path: '^stack/facts/' },
      to: { path: '^(stack/src|stack/toolkit|loadtests|services|frontend|scripts|chaos|dr-drills)/' },
    },
    {
      name: 'toolkit-is-a-leaf',
      comment:
        'The toolkit (CLI parsing, errors, child processes) imports nothing of the project, not even the facts: chaos, drills, load and scripts use it without the harness.',
      severity: 'error',
      from: { path: '^stack/toolkit/' },
      to: { path: '^(stack/src|stack/facts|loadtests|services|frontend|scripts|chaos|dr-drills)/' },
    },
    {
      name: 'chaos-below-the-drills',
      comment:
        'The drills run on the chaos runner (its faults, load and revert): chaos never reaches up into them.',
      severity: 'error',
      from: { path: '^chaos/' },
      to: { path: '^dr-drills/' },
    },
    {
      name: 'chaos-and-drills-through-the-provider',
      comment:
        "Chaos and the drills act on a stack through the Provider interface and its handles (stack's public entry), never through a provider's or a component's internals: every provider gets them for free.",
      severity: 'error',
      from: { path: '^(chaos|dr-drills)/' },
      to: { path: '^stack/src/', pathNot: '^stack/src/index\\.[jt]s$' },
    },
    {
      name: 'native-only-through-the-registry',
      comment:
        'Commands, tests, benches, chaos and drills reach a stack through the Provider interface; only the registry knows the native classes.',
      severity: 'error',
      from: { pathNot: '^stack/src/providers/(native/|registry\\.[jt]s$)' },
      to: { path: '^stack/src/providers/native/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist|\\.stack|reports|coverage)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'default'] },
    combinedDependencies: true,
  },
};
