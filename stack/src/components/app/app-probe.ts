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

/** `/ready` of a service or the gateway (dependencies reachable), `/health` of the sinks. */
export async function probeMember(
  host: string,
  port: number,
  role: MemberRole,
): Promise<{ ok: boolean; detail: string }> {
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
    flavor: 'gateway, 5 services and the mail/webhook sinks (Node)',
    healthy: members.every((m) => m.healthy),
    members,
    problems: [],
    notes: [],
  };
}
