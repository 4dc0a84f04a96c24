import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GATEWAY_SECURITY_HEADERS } from '../../../services/gateway/src/security-headers.ts';
import { UI_ASSETS_PATH, UI_CACHE_CONTROL } from '../../../services/gateway/src/ui-caching.ts';
import { REPO_ROOT } from '../paths.ts';
import { renderUiNginxConf, UI_CONF_PLACEHOLDERS, type UiConfSource } from './ui-nginx.ts';

const gateways: UiConfSource = {
  headers: GATEWAY_SECURITY_HEADERS,
  cacheControl: UI_CACHE_CONTROL,
  assetsPath: UI_ASSETS_PATH,
  root: '/srv/ui',
};

/** The body of `location <name> { ... }` (one level of nested blocks). */
function location(conf: string, name: string): string {
  const start = conf.indexOf(`location ${name} {`);
  expect(start, `location ${name}`).toBeGreaterThan(-1);
  let depth = 0;
  for (let i = conf.indexOf('{', start); i < conf.length; i++) {
    if (conf[i] === '{') depth++;
    if (conf[i] === '}' && --depth === 0) return conf.slice(start, i);
  }
  throw new Error(`location ${name} is not closed`);
}

describe('renderUiNginxConf', () => {
  const conf = renderUiNginxConf(gateways);

  it("when rendered from the gateway's headers, then every answer nginx makes carries each of them", () => {
    for (const name of [UI_ASSETS_PATH, '/', '@app_shell']) {
      const block = location(conf, name);
      for (const [header, value] of Object.entries(GATEWAY_SECURITY_HEADERS))
        expect(block).toContain(`add_header ${header} "${value}" always;`);
    }
  });

  it("when rendered, then hashed assets are cached for a year and pages revalidated, as the gateway's", () => {
    expect(location(conf, UI_ASSETS_PATH)).toContain(
      `add_header Cache-Control "${UI_CACHE_CONTROL.assets}";`,
    );
    expect(location(conf, '/')).toContain(`add_header Cache-Control "${UI_CACHE_CONTROL.pages}";`);
    expect(location(conf, '@app_shell')).toContain(`add_header Cache-Control "${UI_CACHE_CONTROL.pages}";`);
  });

  it('when a path has no file, then only a page request gets index.html, and a missing asset is a 404', () => {
    expect(location(conf, '/')).toContain('try_files $uri $uri/ @app_shell;');
    expect(location(conf, '@app_shell')).toMatch(/if \(\$wants_app_shell = 0\) \{\s*return 404;/);
    expect(conf).toContain('"~^(GET|HEAD):.*text/html" 1;');
    expect(location(conf, UI_ASSETS_PATH)).toContain('try_files $uri =404;');
  });

  it('when rendered, then /api and /api/… pass to the gateway and nginx listens on placeholders the entrypoint fills in', async () => {
    for (const name of ['= /api', '/api/'])
      expect(location(conf, name)).toContain(`proxy_pass ${UI_CONF_PLACEHOLDERS.gatewayUrl};`);
    expect(conf).toContain(`listen ${UI_CONF_PLACEHOLDERS.port};`);
    const entrypoint = await readFile(join(REPO_ROOT, 'stack', 'images', 'ui', 'entrypoint.sh'), 'utf8');
    for (const placeholder of Object.values(UI_CONF_PLACEHOLDERS))
      expect(entrypoint).toContain(`s|${placeholder}|`);
  });

  it('when rendered, then nothing is written outside /tmp (a read-only root)', () => {
    const paths = [...conf.matchAll(/^\s*(?:pid|\w+_temp_path)\s+(\S+);/gm)].map((m) => m[1]!);
    expect(paths.length).toBeGreaterThanOrEqual(6);
    for (const path of paths) expect(path).toMatch(/^\/tmp\//);
  });

  it('when a value has a quote or a backslash, then it is escaped for nginx', () => {
    const escaped = renderUiNginxConf({ ...gateways, headers: { 'x-test': 'a "b" \\c' } });
    expect(escaped).toContain('add_header x-test "a \\"b\\" \\\\c" always;');
  });

  it('when a value has a $ (an nginx variable) or a line break, or a name is no header name, then it refuses', () => {
    expect(() => renderUiNginxConf({ ...gateways, headers: { 'x-test': 'costs $5' } })).toThrow(/"\$"/);
    expect(() => renderUiNginxConf({ ...gateways, headers: { 'x-test': 'a\nb' } })).toThrow(/control/);
    expect(() => renderUiNginxConf({ ...gateways, headers: { 'x test': 'a' } })).toThrow(/not a header name/);
  });
});
