import { describe, expect, it } from 'vitest';
import { missingSettings, withSettings } from './container-requirements.ts';

describe("Podman's settings for this machine kind", () => {
  it('when containers.conf is absent, then both sections are written', () => {
    expect(withSettings('')).toBe('[containers]\ndefault_ulimits = []\n\n[engine]\nruntime = "runc"\n');
    expect(missingSettings(withSettings(''))).toEqual([]);
  });

  it('when the sections exist, then the settings go under them and nothing else changes', () => {
    const conf = '# mine\n[containers]\nlog_size_max = 1\n\n[engine]\nevents_logger = "file"\n';
    expect(withSettings(conf)).toBe(
      '# mine\n[containers]\ndefault_ulimits = []\nlog_size_max = 1\n\n[engine]\nruntime = "runc"\nevents_logger = "file"\n',
    );
  });

  it('when the owner chose a runtime, then it is kept (a second run changes nothing)', () => {
    const conf = '[engine]\nruntime = "crun"\n';
    expect(missingSettings(conf).map((s) => s.key)).toEqual(['default_ulimits']);
    const once = withSettings(conf);
    expect(once).toContain('runtime = "crun"');
    expect(withSettings(once)).toBe(once);
  });
});
