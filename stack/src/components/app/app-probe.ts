import type { ComponentStatus, MemberRole, MemberStatus } from '../handle.ts';

export interface AppProbeTarget {
  host: string;
  /** `metricsPort`: a member (the gateway) that serves /metrics on an internal port of its own. */
  members: { name: string; port: number; metricsPort?: number; role: MemberRole }[];
}

/** `/metrics` on a member's internal metrics port answers (Prometheus would scrape it there). */
async function probeMetrics(host: string, port: number): Promise<{ ok: boolean; detail: string }> {
  try {
    const response = await fetch(`http://${host}:${port}/metrics`, { signal: AbortSignal.timeout(2000) });
    await response.arrayBuffer();
    return response.ok
      ? { ok: true, detail: `metrics on :${port}` }
      : { ok: false, detail: `metrics on :${port} answered ${response.status}` };
  } catch (error) {
    return { ok: false, detail: `metrics on :${port}: ${(error as Error).message}` };
  }
}

/** The fault proxy's API: its proxies, and how many of them are cut (disabled) now. */
async function probeFaultProxy(host: string, port: number): Promise<{ ok: boolean; detail: string }> {
  try {
    const response = await fetch(`http://${host}:${port}/proxies`, { signal: AbortSignal.timeout(2000) });
    if (!response.ok) return { ok: false, detail: `/proxies answered ${response.status}` };
    const proxies = Object.values(
      (await response.json()) as Record<string, { enabled: boolean; toxics: unknown[] }>,
    );
    const cut = proxies.filter((p) => !p.enabled).length;
    const toxic = proxies.filter((p) => p.toxics.length > 0).length;
    return {
      ok: proxies.length > 0,
      detail: `${proxies.length} proxies${cut ? `, ${cut} cut` : ''}${toxic ? `, ${toxic} with faults` : ''}`,
    };
  } catch (error) {
    return { ok: false, detail: (error as Error).message };
  }
}

/**
 * The web UI's own server answers its page, and passes the API on: a route that wants a token
 * answers 401 from the gateway itself (502 or 504 would be the UI's server failing to reach it).
 */
async function probeUi(host: string, port: number): Promise<{ ok: boolean; detail: string }> {
  try {
    const page = await fetch(`http://${host}:${port}/`, { signal: AbortSignal.timeout(2000) });
    await page.arrayBuffer();
    if (!page.ok) return { ok: false, detail: `/ answered ${page.status}` };
    const api = await fetch(`http://${host}:${port}/api/notifications`, {
      signal: AbortSignal.timeout(2000),
    });
    await api.arrayBuffer();
    return api.status === 401
      ? { ok: true, detail: 'the page, and /api through to the gateway' }
      : { ok: false, detail: `/api through it answered ${api.status}, not the gateway's 401` };
  } catch (error) {
    return { ok: false, detail: (error as Error).message };
  }
}

/** `/ready` of a service or the gateway (dependencies reachable), `/health` of the sinks, the fault proxy's proxies. */
export async function probeMember(
  host: string,
  port: number,
  role: MemberRole,
): Promise<{ ok: boolean; detail: string }> {
  if (role === 'proxy') return probeFaultProxy(host, port);
  if (role === 'ui') return probeUi(host, port);
  const path = role === 'sink' ? '/health' : '/ready';
  try {
    const response = await fetch(`http://${host}:${port}${path}`, { signal: AbortSignal.timeout(2000) });
    const body = (await response.json()) as { status?: string; checks?: Record<string, string> };
    if (response.ok)
      return { ok: true, detail: body.checks ? `ready (${Object.keys(body.checks).join(', ')})` : 'up' };
    const failing = Object.entries(body.checks ?? {}).filter(([, v]) => v !== 'ok');
    return {
      ok: false,
      detail: `not ready: ${failing.map(([k, v]) => `${k}: ${v}`).join('; ') || response.status}`,
    };
  } catch (error) {
    return { ok: false, detail: (error as Error).message };
  }
}

export async function probeApp(target: AppProbeTarget): Promise<ComponentStatus> {
  const members: MemberStatus[] = await Promise.all(
    target.members.map(async (m) => {
      const member = await probeMember(target.host, m.port, m.role);
      const metrics =
        m.metricsPort === undefined ? undefined : await probeMetrics(target.host, m.metricsPort);
      const ok = member.ok && (metrics?.ok ?? true);
      const detail = metrics ? `${member.detail}; ${metrics.detail}` : member.detail;
      return {
        component: 'app' as const,
        member: m.name,
        host: target.host,
        port: m.port,
        role: ok ? m.role : 'down',
        healthy: ok,
        detail,
      };
    }),
  );
  return {
    component: 'app',
    flavor: 'gateway, 5 services, the mail/webhook sinks (Node) and the fault proxy (Toxiproxy)',
    healthy: members.every((m) => m.healthy),
    members,
    problems: [],
    notes: [],
  };
}
