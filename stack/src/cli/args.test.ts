import { describe, expect, it } from 'vitest';
import { UsageError } from '@stackdrill/toolkit';
import { requireProvider } from '../providers/registry.ts';
import { requireInstance } from './args.ts';

describe('CLI arguments', () => {
  it('when the provider is planned but not built, then it says so and lists providers', () => {
    expect(() => requireProvider('kind')).toThrow(UsageError);
    expect(() => requireProvider('kind')).toThrow(
      /provider "kind" is not available yet[\s\S]*native: processes/,
    );
  });

  it('when the provider is unknown, then it lists the providers', () => {
    expect(() => requireProvider('docker')).toThrow(/unknown provider "docker"[\s\S]*containers:/);
  });

  it('when the instance is unknown, then it lists the instances', () => {
    expect(() => requireInstance('staging')).toThrow(
      'unknown instance "staging". Instances: dev, test, dev-dr, test-dr, test-containers, bench',
    );
    expect(requireInstance(undefined)).toBe(process.env.STACKDRILL_INSTANCE ?? 'dev');
  });
});
