// The HTML report of a load run: one self-contained file (uPlot and every style inlined, no network)
// with the latency, throughput and error charts over time, errors by endpoint and status, the SLO
// table, the soak's p95 flatness and the figures per endpoint and journey. A summary is input: every string from it is escaped.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { ALERT_LEVELS, type Verdict } from '../model/slo.ts';
import type { TimelineMark, Flatness, LoadSummary, SubjectFigures, TimelinePoint } from '../model/summary.ts';

/**
 * What a run around the load says first (a DR drill's verdict: its figures and checks), shown above
 * the load's own sections, its verdict the report's.
 */
export interface ReportPreface {
  /** `DR drill`, say: the report is titled `<kind> report: <name>`. */
  kind: string;
  name: string;
  passed: boolean;
  facts: [term: string, value: string][];
  checks: { name: string; ok: boolean; detail: string }[];
}

/** Renders the report of a run as one HTML document that opens from disk. */
export function renderHtmlReport(summary: LoadSummary, preface?: ReportPreface): string {
  const timeline = [...(summary.timeline ?? [])].sort((a, b) => num(a.second) - num(b.second));
  const scripts = timeline.length ? chartScripts(timeline, summary.marks ?? []) : undefined;
  const scriptHashes = scripts ? [scripts.library, scripts.init].map(cspHash).join(' ') : "'none'";
  const passed = preface ? preface.passed : summary.passed;
  const verdictWord = passed ? 'PASS' : 'FAIL';
  const kind = preface?.kind ?? 'Load';
  const name = preface?.name ?? summary.profile;
  return markup`<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <meta
      http-equiv="Content-Security-Policy"
      content="default-src 'none'; style-src 'unsafe-inline'; script-src ${raw(scriptHashes)}"
    />
    <title>${verdictWord}: ${preface ? kind : 'load'} report, ${name} (${summary.startedAt})</title>
    <style>${raw(STYLE)}${scripts ? raw(scripts.css) : ''}</style>
  </head>
  <body>
    <header>
      <h1>
        ${kind} report: <span class="name">${name}</span>
        <span class="verdict ${passed ? 'pass' : 'fail'}">${passed ? '✓' : '✗'} ${verdictWord}</span>
      </h1>
      ${preface ? prefaceFacts(preface) : ''}
      ${runFacts(summary)}
      ${notes(summary)}
    </header>
    <nav aria-label="Sections">
      <ul>
        ${preface ? markup`<li><a href="#checks">Checks</a></li>` : ''}
        <li><a href="#over-time">Over time</a></li>
        <li><a href="#errors">Errors by endpoint and status</a></li>
        <li><a href="#slo">SLO table</a></li>
        ${summary.flatness ? markup`<li><a href="#flatness">p95 flatness</a></li>` : ''}
        <li><a href="#figures">Endpoints and journeys</a></li>
      </ul>
    </nav>
    <main>
      ${preface ? prefaceChecks(preface) : ''}
      ${overTime(timeline, summary)}
      ${errorsByStatus(summary.endpoints)}
      ${sloTable(summary)}
      ${summary.flatness ? flatnessSection(summary.flatness) : ''}
      <section id="figures" aria-labelledby="figures-h">
        <h2 id="figures-h">Endpoints and journeys</h2>
        ${figuresTable('endpoint-figures', 'Endpoint', 'Every request by the endpoint it is judged under', summary.endpoints)}
        ${figuresTable('journey-figures', 'Journey', 'Every request by the journey that made it', summary.journeys)}
      </section>
    </main>
    <footer>
      <p>
        Latencies are measured from when each request was due (open model), so queueing counts. Made by
        <code>pnpm load</code> from a <code>${summary.format}</code> summary.
      </p>
    </footer>
    ${scripts ? scriptElements(scripts) : ''}
  </body>
</html>
`.value;
}

/** Writes the report to `path`, creating its directory. */
export async function writeHtmlReport(
  summary: LoadSummary,
  path: string,
  preface?: ReportPreface,
): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, renderHtmlReport(summary, preface));
}

function prefaceFacts(preface: ReportPreface): Html {
  return markup`<dl class="facts">
    ${preface.facts.map(([term, value]) => markup`<div><dt>${term}</dt><dd>${value}</dd></div>`)}
  </dl>`;
}

function prefaceChecks(preface: ReportPreface): Html {
  return markup`<section id="checks" aria-labelledby="checks-h">
    <h2 id="checks-h">Checks</h2>
    <table>
      <caption>What the ${preface.kind.toLowerCase()} judged</caption>
      <thead><tr><th scope="col">Check</th><th scope="col">Result</th><th scope="col">Detail</th></tr></thead>
      <tbody>
        ${preface.checks.map(
          (c) =>
            markup`<tr><th scope="row">${c.name}</th><td class="${c.ok ? 'pass' : 'fail'}">${c.ok ? '✓ held' : '✗ BROKEN'}</td><td>${c.detail}</td></tr>`,
        )}
      </tbody>
    </table>
  </section>`;
}

/**
 * JSON to embed in a `<script type="application/json">`: `<`, `>` and `&` as `\u` escapes, so no
 * string in it can close the element or open a comment; `JSON.parse` reads it back unchanged.
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

// --- Safe HTML: every interpolated value is escaped unless it is already Html -----------------------

class Html {
  constructor(readonly value: string) {}
}

/** Trusted markup (our own constants, the inlined library); never anything from a summary. */
const raw = (value: string) => new Html(value);

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

function markup(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0]!;
  values.forEach((value, i) => (out += render(value) + strings[i + 1]!));
  return new Html(out);
}

function render(value: unknown): string {
  if (value instanceof Html) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === undefined || value === null || value === false) return '';
  return escapeHtml(String(value));
}

// --- Numbers: a summary is input, so a field that is not a finite number shows as such --------------

const num = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : NaN);
const finiteOrNull = (value: unknown): number | null => (Number.isFinite(num(value)) ? num(value) : null);
const fixed = (value: unknown, digits: number) => {
  const n = num(value);
  return Number.isFinite(n) ? n.toFixed(digits) : 'n/a';
};
const COUNT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const count = (value: unknown) => (Number.isFinite(num(value)) ? COUNT.format(num(value)) : 'n/a');
const ms = (value: unknown) => `${fixed(value, 1)} ms`;
const percent = (rate: number) => (Number.isFinite(rate) ? `${(rate * 100).toFixed(2)} %` : 'n/a');
const errorRate = (f: { requests: number; errors: number }) =>
  num(f.requests) > 0 ? num(f.errors) / num(f.requests) : num(f.requests) === 0 ? 0 : NaN;

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return 'n/a';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return `${h ? `${h} h ` : ''}${m} min ${s % 60} s (${s} s)`;
}

// --- Header ------------------------------------------------------------------------------------------

function runFacts(s: LoadSummary): Html {
  const fact = (term: string, value: unknown) => markup`<div><dt>${term}</dt><dd>${value}</dd></div>`;
  return markup`<dl class="facts">
    ${fact('Result', result(s))}
    ${fact('Profile', s.profile)}
    ${fact('Engine', s.engine)}
    ${fact('Target', markup`<code>${s.target}</code>`)}
    ${fact('Started at', markup`<time datetime="${s.startedAt}">${s.startedAt}</time>`)}
    ${fact('Duration', duration(num(s.durationS)))}
    ${fact('Runners merged', count(s.runners ?? 1))}
    ${fact('Dropped iterations', count(s.droppedIterations ?? 0))}
  </dl>`;
}

/** PASS or FAIL, and what made it so. */
function result(s: LoadSummary): string {
  const flat = s.flatness;
  if (s.passed) {
    if (!flat) return 'PASS: every SLO held';
    return flat.judged
      ? 'PASS: every SLO held and p95 stayed flat'
      : 'PASS: every SLO held (p95 flatness not judged)';
  }
  const sloBroken = s.verdicts.some((v) => !v.passed);
  if (flat && !flat.passed) return sloBroken ? 'FAIL: an SLO broke and p95 drifted' : 'FAIL: p95 drifted';
  return 'FAIL: an SLO broke';
}

/** The endpoints whose p95 drifted. */
const driftedOf = (flat: Flatness | undefined) =>
  (flat?.endpoints ?? []).filter((row) => row.judged && !row.passed);

function notes(s: LoadSummary): Html {
  const broken = s.verdicts.filter((v) => !v.passed);
  const drifted = driftedOf(s.flatness);
  return markup`${
    s.capacity
      ? markup`<section class="capacity" aria-labelledby="capacity-h">
          <h2 id="capacity-h">SLO capacity</h2>
          ${capacity(s.capacity)}
        </section>`
      : ''
  }
  ${
    broken.length
      ? markup`<p class="note fail-note">
          <strong>SLO broken</strong> for ${broken.length} of ${s.verdicts.length}:
          ${broken.map((v, i) => markup`${i ? ', ' : ''}<a href="#${anchor(v.subject)}">${v.subject}</a>`)}.
        </p>`
      : ''
  }
  ${
    drifted.length
      ? markup`<p class="note fail-note">
          <strong>p95 drifted</strong> on ${drifted.length} endpoint${drifted.length === 1 ? '' : 's'}:
          ${drifted.map((row, i) => markup`${i ? ', ' : ''}<a href="#flatness">${row.endpoint}</a>`)}.
        </p>`
      : ''
  }
  ${
    s.interrupted
      ? markup`<p class="note warn">
          <strong>Interrupted:</strong> the run was stopped early (Ctrl-C); the figures cover what ran.
        </p>`
      : ''
  }
  ${
    num(s.droppedIterations) > 0
      ? markup`<p class="note warn">
          <strong>${count(s.droppedIterations)} iterations dropped:</strong> they were due while
          <code>maxVUs</code> iterations were already in flight, so the target was offered less load than the
          profile asked for.
        </p>`
      : ''
  }`;
}

function capacity(c: NonNullable<LoadSummary['capacity']>): Html {
  const rate = `${fixed(c.iterationsPerS, 1)} iterations/s (${fixed(c.requestsPerS, 0)} req/s)`;
  if (!c.brokenAt)
    return markup`<p><strong>SLO capacity: at least ${rate}</strong>. The ramp ended before any SLO broke.</p>`;
  const broke = markup`<p>It broke at ${fixed(c.brokenAt.iterationsPerS, 1)} iterations/s:</p>
    <ul>
      ${c.brokenAt.broken.map((b) => markup`<li>${b}</li>`)}
    </ul>`;
  if (!(num(c.iterationsPerS) > 0))
    return markup`<p><strong>SLO capacity: none</strong>: the first window already broke an SLO.</p>
      ${broke}`;
  return markup`<p><strong>SLO capacity: ${rate}</strong>, the last arrival rate at which every SLO held.</p>
    ${broke}
    <p>The breakpoint profile ramps until an SLO breaks, so a broken SLO is expected here: the capacity is the result.</p>`;
}

// --- Charts over time -------------------------------------------------------------------------------

interface ChartData {
  marks?: TimelineMark[];
  second: number[];
  p50: (number | null)[];
  p95: (number | null)[];
  p99: (number | null)[];
  requests: (number | null)[];
  arrivals: (number | null)[];
  errors: (number | null)[];
  alertP95Ms: number;
  alertErrorRate: number;
}

function chartData(timeline: TimelinePoint[]): ChartData {
  const column = (key: keyof TimelinePoint) => timeline.map((p) => finiteOrNull(p[key]));
  return {
    second: timeline.map((p, i) => finiteOrNull(p.second) ?? i),
    p50: column('p50Ms'),
    p95: column('p95Ms'),
    p99: column('p99Ms'),
    requests: column('requests'),
    arrivals: column('arrivals'),
    errors: column('errors'),
    alertP95Ms: ALERT_LEVELS.p95Ms,
    alertErrorRate: ALERT_LEVELS.errorRate,
  };
}

function overTime(timeline: TimelinePoint[], s: LoadSummary): Html {
  const heading = markup`<h2 id="over-time-h">Over time</h2>`;
  if (!timeline.length) {
    return markup`<section id="over-time" aria-labelledby="over-time-h">
      ${heading}
      <p class="note" id="no-timeline">
        ${
          s.timeline
            ? 'No timeline: the run ended before its first second was recorded, so there are no charts over time.'
            : `No timeline: this summary has none (the ${s.engine} engine's summary keeps totals only), so there are no charts over time. The tables below cover the whole run.`
        }
      </p>
    </section>`;
  }
  const d = chartData(timeline);
  const chart = (id: string, title: string, label: string, summaryText: Html) =>
    markup`<figure aria-labelledby="${id}-title">
      <figcaption>
        <h3 id="${id}-title">${title}</h3>
        <p id="${id}-desc">${summaryText}</p>
      </figcaption>
      <div class="chart" id="${id}" role="img" aria-label="${label}" aria-describedby="${id}-desc"></div>
    </figure>`;
  return markup`<section id="over-time" aria-labelledby="over-time-h">
    ${heading}
    <noscript><p class="note">The charts need JavaScript; the per-second table below has the same data.</p></noscript>
    ${chart('chart-latency', 'Latency percentiles (ms)', `Line chart of latency p50, p95 and p99 in ms for each second of the run, with the alert level at ${ALERT_LEVELS.p95Ms} ms`, latencyText(d))}
    ${chart('chart-throughput', 'Throughput (per second)', 'Line chart of requests answered per second and journey iterations started per second', throughputText(d))}
    ${chart('chart-errors', 'Errors (per second)', `Line chart of failed requests per second, with the alert level at ${ALERT_LEVELS.errorRate * 100} % of requests`, errorsText(d))}
    ${s.marks?.length ? marksTable(s.marks) : ''}
    ${timelineTable(timeline)}
  </section>`;
}

/** What happened to the target during the run, as the charts' vertical lines show it. */
function marksTable(marks: TimelineMark[]): Html {
  return table({
    id: 'marks',
    caption: 'What happened during the run (the dashed vertical lines on the charts)',
    heads: ['second', 'what', 'event'],
    rows: marks.map((m) => ({ head: m.second.toFixed(1), cells: [m.kind, m.label] })),
  });
}

/** The largest value of a column and the second it happened in. */
function peak(d: ChartData, values: (number | null)[]): { value: number; second: number } {
  let best = { value: 0, second: d.second[0] ?? 0 };
  values.forEach((v, i) => {
    if (v !== null && v > best.value) best = { value: v, second: d.second[i]! };
  });
  return best;
}

const total = (values: (number | null)[]) => values.reduce<number>((sum, v) => sum + (v ?? 0), 0);

function latencyText(d: ChartData): Html {
  const p95 = peak(d, d.p95);
  const p99 = peak(d, d.p99);
  const above = d.p95.filter((v) => v !== null && v > d.alertP95Ms).length;
  return markup`p95 peaked at ${ms(p95.value)} (second ${p95.second}), p99 at ${ms(p99.value)} (second
  ${p99.second}). p95 was above the alert level (${d.alertP95Ms} ms) in ${above} of ${d.second.length}
  seconds.`;
}

function throughputText(d: ChartData): Html {
  const n = Math.max(1, d.second.length);
  const requests = peak(d, d.requests);
  const arrivals = peak(d, d.arrivals);
  return markup`Requests answered: ${fixed(total(d.requests) / n, 1)}/s on average, peak
  ${count(requests.value)}/s (second ${requests.second}). Iterations started:
  ${fixed(total(d.arrivals) / n, 1)}/s on average, peak ${count(arrivals.value)}/s (second
  ${arrivals.second}).`;
}

function errorsText(d: ChartData): Html {
  const errors = total(d.errors);
  if (errors === 0) return markup`No request failed in any second.`;
  const worst = peak(d, d.errors);
  const above = d.errors.filter((e, i) => e !== null && e > d.alertErrorRate * (d.requests[i] ?? 0)).length;
  return markup`${count(errors)} failed request${errors === 1 ? '' : 's'} in all, peak ${count(worst.value)}/s (second ${worst.second}).
  The error rate was above the alert level (${d.alertErrorRate * 100} %) in ${above} of ${d.second.length}
  seconds.`;
}

function timelineTable(timeline: TimelinePoint[]): Html {
  return markup`<details>
    <summary>The same data per second (${timeline.length} seconds)</summary>
    ${table({
      caption: 'Per second: arrivals, requests answered, errors and latency percentiles',
      heads: ['Second', 'Arrivals', 'Requests', 'Errors', 'p50', 'p95', 'p99'],
      rows: timeline.map((p) => ({
        head: count(p.second),
        cells: [count(p.arrivals), count(p.requests), count(p.errors), ms(p.p50Ms), ms(p.p95Ms), ms(p.p99Ms)],
        className: num(p.p95Ms) > ALERT_LEVELS.p95Ms ? 'over' : undefined,
      })),
    })}
  </details>`;
}

// --- Tables -----------------------------------------------------------------------------------------

/** Where a value goes in the page: escaped text, or markup made by `markup`. */
type Content = string | Html;

interface Attributes {
  id?: string | undefined;
  className?: string | undefined;
  /** `data-status`, on the cells of the status table. */
  status?: string | undefined;
}

interface Cell extends Attributes {
  value: Content;
}

interface Row extends Attributes {
  /** The row's header cell (`<th scope="row">`). */
  head: Content;
  cells: (Content | Cell)[];
}

const attributes = (a: Attributes) =>
  markup`${a.id ? markup` id="${a.id}"` : ''}${a.className ? markup` class="${a.className}"` : ''}${
    a.status !== undefined ? markup` data-status="${a.status}"` : ''
  }`;

const isCell = (c: Content | Cell): c is Cell => typeof c === 'object' && !(c instanceof Html);

/** A table with column headers and row headers, every value escaped. */
function table(t: { id?: string; caption: string; heads: Content[]; rows: Row[] }): Html {
  const cell = (c: Content | Cell) =>
    isCell(c) ? markup`<td${attributes(c)}>${c.value}</td>` : markup`<td>${c}</td>`;
  return markup`<div class="scroll"><table class="numbers"${attributes({ id: t.id })}>
<caption>${t.caption}</caption>
<thead><tr>${t.heads.map((h) => markup`<th scope="col">${h}</th>`)}</tr></thead>
<tbody>
${t.rows.map((r) => markup`<tr${attributes(r)}><th scope="row">${r.head}</th>${r.cells.map(cell)}</tr>\n`)}</tbody>
</table></div>`;
}

/** Statuses in numeric order, `0` (no answer) first. */
const byStatus = (a: string, b: string) => Number(a) - Number(b) || a.localeCompare(b);
const isErrorStatus = (status: string) => !(Number(status) >= 200 && Number(status) < 400);

function errorsByStatus(endpoints: Record<string, SubjectFigures>): Html {
  const names = Object.keys(endpoints).sort();
  if (!names.length)
    return markup`<section id="errors" aria-labelledby="errors-h">
      <h2 id="errors-h">Errors by endpoint and status</h2>
      <p class="note">No endpoint had any traffic.</p>
    </section>`;
  const statuses = [...new Set(names.flatMap((n) => Object.keys(endpoints[n]!.statuses ?? {})))];
  statuses.sort(byStatus);
  const missing = names.filter((n) => !endpoints[n]!.statuses);
  const rows = names.map((name): Row => {
    const f = endpoints[name]!;
    const rate = errorRate(f);
    const perStatus = statuses.map((status) => {
      if (!f.statuses) return { value: 'n/a', status };
      const n = num(f.statuses[status] ?? 0);
      return {
        value: count(n),
        status,
        className: n === 0 ? 'zero' : isErrorStatus(status) ? 'bad' : undefined,
      };
    });
    return {
      head: name,
      cells: [...perStatus, count(f.requests), count(f.errors), percent(rate)],
      className: rate > ALERT_LEVELS.errorRate ? 'over' : undefined,
    };
  });
  const statusHead = (status: string) =>
    `${isErrorStatus(status) ? '⚠ ' : ''}${status === '0' ? '0 (no answer)' : status}`;
  return markup`<section id="errors" aria-labelledby="errors-h">
    <h2 id="errors-h">Errors by endpoint and status</h2>
    ${table({
      id: 'status-table',
      caption:
        'Answers by HTTP status per endpoint (0: no answer, a transport error or timeout); ' +
        'statuses outside 2xx and 3xx are marked ⚠. Rows above the alert level (5 % errors) are shaded.',
      heads: ['Endpoint', ...statuses.map(statusHead), 'Requests', 'Errors', 'Error rate'],
      rows,
    })}
    ${
      missing.length === names.length
        ? markup`<p class="note">This summary recorded no answers by status (k6's own summary keeps error counts only).</p>`
        : missing.length
          ? markup`<p class="note">No answers by status recorded for: ${missing.join(', ')}.</p>`
          : ''
    }
  </section>`;
}

function anchor(subject: string): string {
  return `slo-${subject.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '')}`;
}

function sloTable(s: LoadSummary): Html {
  const figuresOf = (subject: string): SubjectFigures | undefined => {
    const [, kind, name] = /^(endpoint|journey) (.*)$/s.exec(subject) ?? [];
    if (name === undefined) return undefined;
    return (kind === 'endpoint' ? s.endpoints : s.journeys)[name];
  };
  const verdict = (v: Verdict) =>
    v.passed
      ? markup`<span aria-hidden="true">✓ </span>met`
      : markup`<strong><span aria-hidden="true">✗ </span>BROKEN</strong>
<ul class="reasons">${v.broken.map((b) => markup`<li>${b}</li>`)}</ul>`;
  const rows = s.verdicts.map((v): Row => ({
    id: anchor(v.subject),
    className: v.passed ? 'met' : 'broken',
    head: v.subject,
    cells: [
      count(v.measured.requests),
      percent(errorRate(v.measured)),
      ms(figuresOf(v.subject)?.p50Ms),
      ms(v.measured.p95Ms),
      ms(v.measured.p99Ms),
      {
        value: markup`p95 ≤ ${count(v.objective.p95Ms)} ms<br />p99 ≤ ${count(v.objective.p99Ms)} ms<br />errors ≤ ${percent(num(v.objective.maxErrorRate))}`,
        className: 'text',
      },
      { value: verdict(v), className: 'verdict-cell' },
    ],
  }));
  const broken = s.verdicts.filter((v) => !v.passed).length;
  return markup`<section id="slo" aria-labelledby="slo-h">
    <h2 id="slo-h">SLO table</h2>
    ${
      s.verdicts.length
        ? markup`<p>
              ${broken ? `${broken} of ${s.verdicts.length} objectives BROKEN.` : `All ${s.verdicts.length} objectives met.`}
              Endpoints and journeys without traffic are not judged.
            </p>
            ${table({
              id: 'slo-table',
              caption:
                'Each endpoint and journey against its objective (latency of failed and successful requests alike)',
              heads: ['Subject', 'Requests', 'Error rate', 'p50', 'p95', 'p99', 'Objective', 'Verdict'],
              rows,
            })}`
        : markup`<p class="note">No SLO was judged: no endpoint or journey of the spec had traffic.</p>`
    }
  </section>`;
}

/** Minutes [from, to) as `minutes 5-10`; a summary is input, so its numbers are checked. */
const minutes = (span: unknown) =>
  Array.isArray(span) ? `minutes ${fixed(span[0], 0)}-${fixed(span[1], 0)}` : 'minutes n/a';

function flatnessSection(flat: Flatness): Html {
  const heading = markup`<h2 id="flatness-h">p95 flatness</h2>`;
  const baseline = minutes(flat.baselineMinutes);
  const tail = minutes(flat.tailMinutes);
  const allowed = `${fixed((num(flat.maxRatio) - 1) * 100, 0)} %`;
  const rule = markup`Each endpoint's p95 over the run's last whole minutes (${tail}) may be at most
    ${fixed(flat.maxRatio, 2)} × its p95 over ${baseline} (${allowed} slower), each read from the span's merged
    per-minute histograms. Endpoints with fewer than ${count(flat.minRequests)} requests in either span are not
    judged.`;
  if (!flat.tailMinutes) {
    return markup`<section id="flatness" aria-labelledby="flatness-h">
      ${heading}
      <p class="note" id="flatness-not-judged">Not judged: ${flat.reason ?? 'no reason given'}.</p>
    </section>`;
  }
  const drifted = driftedOf(flat).length;
  const verdict = (row: Flatness['endpoints'][number]) =>
    !row.judged
      ? markup`not judged: ${row.reason}`
      : row.passed
        ? markup`<span aria-hidden="true">✓ </span>flat`
        : markup`<strong><span aria-hidden="true">✗ </span>DRIFTED</strong> ${fixed((num(row.ratio) - 1) * 100, 1)} % slower`;
  const rows = (flat.endpoints ?? []).map((row): Row => ({
    className: !row.judged ? 'not-judged' : row.passed ? 'met' : 'broken',
    head: row.endpoint,
    cells: [
      ms(row.baseline?.p95Ms),
      count(row.baseline?.requests),
      ms(row.tail?.p95Ms),
      count(row.tail?.requests),
      row.judged ? fixed(row.ratio, 2) : '–',
      { value: verdict(row), className: 'verdict-cell' },
    ],
  }));
  return markup`<section id="flatness" aria-labelledby="flatness-h">
    ${heading}
    <p>
      ${flat.judged ? (drifted ? `${drifted} endpoint${drifted === 1 ? '' : 's'} DRIFTED.` : 'p95 stayed flat on every judged endpoint.') : `Not judged: ${flat.reason ?? 'no reason given'}.`}
      ${rule}
    </p>
    ${table({
      id: 'flatness-table',
      caption: `Per endpoint: p95 over ${baseline} against p95 over ${tail}`,
      heads: ['Endpoint', `p95 ${baseline}`, 'Requests', `p95 ${tail}`, 'Requests', 'Ratio', 'Verdict'],
      rows,
    })}
  </section>`;
}

function figuresTable(
  id: string,
  kind: string,
  caption: string,
  figures: Record<string, SubjectFigures>,
): Html {
  const names = Object.keys(figures).sort();
  if (!names.length) return markup`<p class="note">No ${kind.toLowerCase()} had any traffic.</p>`;
  return table({
    id,
    caption,
    heads: [kind, 'Requests', 'Errors', 'Error rate', 'p50', 'p95', 'p99', 'Max'],
    rows: names.map((name) => {
      const f = figures[name]!;
      return {
        head: name,
        cells: [
          count(f.requests),
          count(f.errors),
          percent(errorRate(f)),
          ms(f.p50Ms),
          ms(f.p95Ms),
          ms(f.p99Ms),
          ms(f.maxMs),
        ],
      };
    }),
  });
}

// --- Scripts: uPlot from node_modules, inlined, and the code that draws the charts ----------------

interface Scripts {
  data: ChartData;
  library: string;
  css: string;
  init: string;
}

let uplot: { js: string; css: string } | undefined;

/** uPlot's minified build and stylesheet, read once from node_modules, with its licence. */
function uplotFiles(): { js: string; css: string } {
  if (!uplot) {
    const require = createRequire(import.meta.url);
    const read = (file: string) => readFileSync(require.resolve(`uplot/${file}`), 'utf8');
    const { version } = JSON.parse(read('package.json')) as { version: string };
    const licence = read('LICENSE').replaceAll('*/', '* /');
    uplot = {
      // Nothing in the library may end the script element it is inlined in.
      js: `/* uPlot ${version}\n${licence}*/\n${read('dist/uPlot.iife.min.js').replace(/<\/(script)/gi, '<\\/$1')}`,
      css: read('dist/uPlot.min.css').replace(/<\/(style)/gi, '<\\/$1'),
    };
  }
  return uplot;
}

function chartScripts(timeline: TimelinePoint[], marks: TimelineMark[]): Scripts {
  const { js, css } = uplotFiles();
  return { data: { ...chartData(timeline), marks }, library: js, css, init: INIT };
}

/**
 * The chart data and the two scripts, their text exactly as hashed for the Content-Security-Policy
 * (so nothing may sit between the tags and the text).
 */
function scriptElements(scripts: Scripts): Html {
  return raw(
    `<script type="application/json" id="timeline-data">${scriptJson(scripts.data)}</script>\n` +
      `<script>${scripts.library}</script>\n` +
      `<script>${scripts.init}</script>`,
  );
}

const cspHash = (script: string) => `'sha256-${createHash('sha256').update(script).digest('base64')}'`;

/** Draws the three charts from the JSON data; runs in the browser (plain ES2017, no modules). */
const INIT = `
(function () {
  'use strict';
  var d = JSON.parse(document.getElementById('timeline-data').textContent);
  var charts = [];
  var size = function (el) { return { width: Math.max(320, el.clientWidth), height: 260 }; };
  var line = function (label, stroke, extra) {
    var s = { label: label, stroke: stroke, width: 2, points: { show: false } };
    for (var k in extra) s[k] = extra[k];
    return s;
  };
  var MARK_COLOURS = { fault: '#c92a2a', revert: '#2f9e44', recovered: '#1c7ed6', abort: '#000000', note: '#868e96' };
  var marksPlugin = {
    hooks: {
      draw: [function (u) {
        var ctx = u.ctx;
        (d.marks || []).forEach(function (m, i) {
          var x = Math.round(u.valToPos(m.second, 'x', true));
          ctx.save();
          ctx.strokeStyle = MARK_COLOURS[m.kind] || '#868e96';
          ctx.fillStyle = ctx.strokeStyle;
          ctx.setLineDash([4, 3]);
          ctx.lineWidth = 1.5;
          ctx.beginPath();
          ctx.moveTo(x, u.bbox.top);
          ctx.lineTo(x, u.bbox.top + u.bbox.height);
          ctx.stroke();
          ctx.font = '11px system-ui, sans-serif';
          ctx.fillText(m.label, x + 3, u.bbox.top + 12 + (i % 4) * 13);
          ctx.restore();
        });
      }],
    },
  };
  var draw = function (id, unit, series, columns) {
    var el = document.getElementById(id);
    var sz = size(el);
    var opts = {
      plugins: [marksPlugin],
      width: sz.width,
      height: sz.height,
      scales: { x: { time: false } },
      axes: [
        { label: 'seconds since start', incrs: [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600] },
        { label: unit, size: 60 },
      ],
      series: [{ label: 'second' }].concat(series),
      legend: { live: false },
    };
    charts.push({ el: el, plot: new uPlot(opts, [d.second].concat(columns), el) });
  };
  var constant = function (value) { return d.second.map(function () { return value; }); };
  draw('chart-latency', 'ms', [
    line('p50', '#1c7ed6', { width: 1.5 }),
    line('p95', '#e8590c', { width: 2.5 }),
    line('p99', '#c2255c', { width: 1.5, dash: [8, 3] }),
    line('alert level (p95)', '#495057', { width: 1, dash: [2, 4] }),
  ], [d.p50, d.p95, d.p99, constant(d.alertP95Ms)]);
  draw('chart-throughput', 'per second', [
    line('requests answered/s', '#2f9e44', { fill: 'rgba(47, 158, 68, 0.12)' }),
    line('iterations started/s', '#5f3dc4', { width: 1.5, dash: [8, 3] }),
  ], [d.requests, d.arrivals]);
  draw('chart-errors', 'errors per second', [
    line('errors/s', '#c92a2a', { fill: 'rgba(201, 42, 42, 0.15)' }),
    line('alert level (' + d.alertErrorRate * 100 + ' % of requests)', '#495057', { width: 1, dash: [2, 4] }),
  ], [d.errors, d.requests.map(function (r) { return r === null ? null : r * d.alertErrorRate; })]);
  var pending;
  window.addEventListener('resize', function () {
    clearTimeout(pending);
    pending = setTimeout(function () {
      charts.forEach(function (c) { c.plot.setSize(size(c.el)); });
    }, 100);
  });
})();
`;

const STYLE = `
:root { color-scheme: light; --fail: #b3261e; --pass: #1b6e2d; --warn: #8a5300; --muted: #5c6370; }
* { box-sizing: border-box; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0 auto; max-width: 1200px; padding: 1rem 1.5rem 3rem; color: #1d1f23; background: #fff; }
h1 { font-size: 1.6rem; display: flex; flex-wrap: wrap; gap: .75rem; align-items: center; }
h2 { font-size: 1.3rem; margin-top: 2.2rem; border-bottom: 1px solid #d0d4da; padding-bottom: .25rem; }
h3 { font-size: 1.05rem; margin: 0; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .92em; overflow-wrap: anywhere; }
.verdict { font-size: 1.1rem; padding: .15rem .7rem; border-radius: .3rem; color: #fff; }
.verdict.pass { background: var(--pass); }
.verdict.fail { background: var(--fail); }
.facts { display: grid; grid-template-columns: repeat(auto-fill, minmax(14rem, 1fr)); gap: .4rem 1.5rem; margin: 0 0 1rem; }
.facts dt { font-size: .8rem; color: var(--muted); text-transform: uppercase; letter-spacing: .03em; }
.facts dd { margin: 0; overflow-wrap: anywhere; }
.note { padding: .5rem .8rem; border-left: 4px solid #868e96; background: #f4f5f7; }
.note.warn { border-color: var(--warn); background: #fff6e5; }
.fail-note { border-color: var(--fail); background: #fdecea; }
.capacity { padding: .2rem 1rem .6rem; border: 1px solid #d0d4da; border-radius: .4rem; }
.capacity h2 { margin-top: .5rem; border: 0; }
nav ul { list-style: none; display: flex; flex-wrap: wrap; gap: 1rem; padding: 0; }
figure { margin: 1.2rem 0 1.8rem; }
figcaption p { margin: .2rem 0 .5rem; color: #3a3f47; }
.chart { min-height: 300px; width: 100%; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; margin: .6rem 0 1rem; }
caption { text-align: left; color: var(--muted); padding-bottom: .3rem; }
th, td { padding: .3rem .6rem; border-bottom: 1px solid #e3e6ea; vertical-align: top; }
thead th { border-bottom: 2px solid #adb5bd; text-align: right; white-space: nowrap; }
thead th:first-child, tbody th { text-align: left; }
tbody th { min-width: 12rem; font-weight: 500; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .9em; overflow-wrap: anywhere; }
table.numbers td { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.numbers td.text, table.numbers td.verdict-cell { text-align: left; }
#slo-table tbody th { overflow-wrap: normal; }
#slo-table thead th:nth-child(n + 7) { text-align: left; }
.reasons li { white-space: nowrap; }
td.zero { color: #adb5bd; }
td.bad { color: var(--fail); font-weight: 600; }
tr.over { background: #fff6e5; }
tr.broken { background: #fdecea; }
tr.broken .verdict-cell strong { color: var(--fail); }
tr.met .verdict-cell { color: var(--pass); }
tr.not-judged .verdict-cell { color: var(--muted); }
#flatness-table thead th:last-child { text-align: left; }
.reasons { margin: .2rem 0 0; padding-left: 1.1rem; }
details { margin: .5rem 0 1rem; }
summary { cursor: pointer; color: #1c5fb0; }
footer { margin-top: 3rem; color: var(--muted); font-size: .9rem; }
`;
