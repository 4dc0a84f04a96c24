import Table from 'cli-table3';
import pc from 'picocolors';
import type { ComponentStatus } from '../components/handle.ts';

function uptime(s: number | undefined): string {
  if (s === undefined) return '';
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  return `${(s / 3600).toFixed(1)}h`;
}

/** The status table: one row per member, then each component's notes and problems. */
export function renderStatus(components: ComponentStatus[]): string {
  const table = new Table({
    head: ['component', 'member', 'role', 'pid', 'port', 'health', 'uptime', 'detail'].map((h) => pc.bold(h)),
    style: { head: [], border: [] },
    // No rule between rows: a member per line reads faster.
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
    wordWrap: true,
    colWidths: [null, null, null, null, null, null, null, 60],
  });
  for (const c of components) {
    for (const m of c.members) {
      table.push([
        c.component,
        m.member,
        m.role,
        m.pid ?? '',
        m.port,
        m.healthy ? pc.green('healthy') : pc.red('UNHEALTHY'),
        uptime(m.uptimeS),
        m.detail ?? '',
      ]);
    }
  }
  const lines = [table.toString()];
  for (const c of components) {
    lines.push(
      `${pc.bold(c.component)}: ${c.flavor} ${c.healthy ? pc.green('healthy') : pc.red('unhealthy')}`,
    );
    for (const note of c.notes) lines.push(`  ${note}`);
    for (const problem of c.problems) lines.push(`  ${pc.red('problem:')} ${problem}`);
  }
  return lines.join('\n');
}
