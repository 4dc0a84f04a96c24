import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { APP } from '@stackdrill/facts';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../paths.ts';
import { APP_MEMBERS } from './app-context.ts';

describe('APP_MEMBERS', () => {
  it("when read, then it is the topology's app: every member a main.ts, probed where the harness probes it", () => {
    expect(APP_MEMBERS.map((m) => m.name).sort()).toEqual(
      ['sinks', ...APP.services.map((s) => s.name), 'gateway'].sort(),
    );
    for (const member of APP_MEMBERS)
      expect(existsSync(join(REPO_ROOT, 'services', member.name, 'src', 'main.ts'))).toBe(true);
    expect(APP_MEMBERS.find((m) => m.name === 'sinks')).toMatchObject({
      portEnv: 'HTTP_PORT',
      readiness: '/health',
    });
    expect(APP_MEMBERS.find((m) => m.name === 'gateway')).toMatchObject({
      portEnv: 'PORT',
      readiness: '/ready',
    });
  });
});
