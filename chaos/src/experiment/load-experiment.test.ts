import { UsageError } from '@stackdrill/toolkit';
import { describe, expect, it } from 'vitest';
import { experimentNames, loadExperiment, parseExperiment } from './load-experiment.ts';

const minimal = (method: string) => `
title: t
steady-state-hypothesis:
  title: h
  probes:
    - { type: probe, name: healthy, provider: { type: stackdrill, probe: stack-healthy } }
method:
${method}
`;

describe('experiments as data', () => {
  it('when every shipped experiment is read, then each validates, with its durations in seconds', async () => {
    expect(experimentNames().length).toBeGreaterThanOrEqual(3);
    for (const name of experimentNames()) {
      const { experiment } = await loadExperiment(name);
      expect(experiment.title, name).not.toBe('');
      for (const step of experiment.method)
        if (step.type === 'action' && step.provider.duration !== undefined)
          expect(typeof step.provider.duration, name).toBe('number');
    }
    const { experiment } = await loadExperiment('redis-master-kill');
    expect(experiment.method[0]).toMatchObject({
      provider: { fault: 'kill', target: 'redis:master', duration: 10 },
    });
    expect(experiment.recovery?.within).toBe(90);
  });

  it('when a step names an unknown fault or a malformed target, then the error names the file and the step', () => {
    const fault = `  - { type: action, name: melt-it, provider: { type: stackdrill, fault: melt, target: 'redis:master' } }`;
    expect(() => parseExperiment(minimal(fault), 'x.yaml')).toThrow(
      /x\.yaml: method\.0 \(melt-it\): unknown fault "melt"/,
    );
    const target = `  - { type: action, name: k, provider: { type: stackdrill, fault: kill, target: 'disk:master' } }`;
    expect(() => parseExperiment(minimal(target), 'x.yaml')).toThrow(/method\.0 \(k\): target "disk:master"/);
  });

  it('when the document breaks the schema or is not YAML, then each problem is listed with where it is', () => {
    const bad = `  - { type: action, name: k, provider: { type: stackdrill, fault: kill, target: redis-0, duration: soon } }`;
    let error: unknown;
    try {
      parseExperiment(minimal(bad).replace('title: t\n', ''), 'bad.yaml');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UsageError);
    const message = (error as Error).message;
    expect(message).toContain('bad.yaml is not a valid experiment');
    expect(message).toContain('at title:');
    expect(message).toContain('at method.0.provider.duration:');
    expect(() => parseExperiment('title: [unclosed', 'broken.yaml')).toThrow(
      /broken\.yaml is not valid YAML/,
    );
  });

  it('when an experiment is named that does not exist, then the shipped ones are listed', async () => {
    await expect(loadExperiment('no-such-experiment')).rejects.toThrow(
      /shipped experiments: .*redis-master-kill/,
    );
  });
});
