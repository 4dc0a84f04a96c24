// @vitest-environment jsdom
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { judge } from '../model/slo.ts';
import type { Flatness, LoadSummary, SubjectFigures } from '../model/summary.ts';
import { renderHtmlReport, scriptJson, writeHtmlReport } from './html-report.ts';
import { TEST_RUN } from '../testing/summaries.ts';

/** The little of the DOM these tests read (the unit project type-checks without the DOM library). */
interface Element {
  readonly tagName: string;
  readonly id: string;
  readonly className: string;
  readonly textContent: string | null;
  getAttribute(name: string): string | null;
  querySelector(selectors: string): Element | null;
  querySelectorAll(selectors: string): ArrayLike<Element> & Iterable<Element>;
}

/** The report as a browser would parse it (DOMParser runs no script and loads nothing). */
function parse(html: string): Element {
  const { DOMParser } = globalThis as unknown as {
    DOMParser: new () => { parseFromString(source: string, type: string): Element };
  };
  return new DOMParser().parseFromString(html, 'text/html');
}

/** The markup of a parsed document's body (its scripts inert until run). */
const bodyOf = (doc: Element) => (doc.querySelector('body') as unknown as { innerHTML: string }).innerHTML;

const text = (element: Element | null | undefined) =>
  (element?.textContent ?? '').replace(/\s+/g, ' ').trim();

const figures = (p95Ms: number, requests: number, errors: number, statuses?: Record<string, number>) =>
  ({
    requests,
    errors,
    p50Ms: p95Ms / 3,
    p95Ms,
    p99Ms: p95Ms * 1.5,
    maxMs: p95Ms * 2,
    ...(statuses ? { statuses } : {}),
  }) satisfies SubjectFigures;

function summary(overrides: Partial<LoadSummary> = {}): LoadSummary {
  const endpoints = {
    'GET /api/products': figures(120, 1000, 0, { '200': 1000 }),
    'POST /api/orders/:id/payment': figures(1800, 200, 9, { '0': 2, '201': 191, '503': 7 }),
  };
  const journeys = { 'checkout-and-pay': figures(2100, 200, 9) };
  const verdicts = judge({ endpoints, journeys });
  return {
    ...TEST_RUN,
    durationS: 60,
    endpoints,
    journeys,
    verdicts,
    passed: verdicts.every((v) => v.passed),
    timeline: [0, 1, 2].map((second) => ({
      second,
      arrivals: 5,
      requests: 20 + second,
      errors: second,
      p50Ms: 40,
      p95Ms: 300 + second * 500,
      p99Ms: 400 + second * 600,
    })),
    ...overrides,
  };
}

/** The cells of the SLO table's row for `subject`. */
function sloRow(doc: Element, subject: string): Element {
  const row = [...doc.querySelectorAll('#slo-table tbody tr')].find(
    (tr) => text(tr.querySelector('th')) === subject,
  );
  expect(row, `SLO row ${subject}`).toBeDefined();
  return row!;
}

describe('the HTML report', () => {
  it('when an SLO broke, then its row says BROKEN with the reasons and the run says FAIL', () => {
    const doc = parse(renderHtmlReport(summary()));

    const payment = sloRow(doc, 'endpoint POST /api/orders/:id/payment');
    expect(payment.className).toBe('broken');
    const verdict = text(payment.querySelector('.verdict-cell'));
    expect(verdict).toContain('BROKEN');
    expect([...payment.querySelectorAll('.reasons li')].map(text)).toEqual([
      'p95 1800 ms > 1000 ms',
      'p99 2700 ms > 2500 ms',
      'errors 4.50 % > 2.00 %',
    ]);
    expect(text(payment.querySelectorAll('td')[1])).toBe('4.50 %');

    const products = sloRow(doc, 'endpoint GET /api/products');
    expect(text(products.querySelector('.verdict-cell'))).toBe('✓ met');
    // p50 comes from the endpoint's figures (the verdict does not carry it).
    expect(text(products.querySelectorAll('td')[2])).toBe('40.0 ms');

    expect(text(doc.querySelector('h1 .verdict'))).toContain('FAIL');
    expect(text(doc.querySelector('.fail-note'))).toContain('endpoint POST /api/orders/:id/payment');
    expect(text(doc.querySelector('title'))).toMatch(/^FAIL: /);
  });

  it('when every SLO held, then the run says PASS and no row is broken', () => {
    const endpoints = { 'GET /api/products': figures(120, 1000, 0, { '200': 1000 }) };
    const verdicts = judge({ endpoints, journeys: {} });
    const doc = parse(renderHtmlReport(summary({ endpoints, journeys: {}, verdicts, passed: true })));
    expect(text(doc.querySelector('h1 .verdict'))).toContain('PASS');
    expect(doc.querySelectorAll('#slo-table tr.broken')).toHaveLength(0);
    expect(doc.querySelector('.fail-note')).toBeNull();
  });

  it('when strings in the summary hold markup, then they show as text and create no element', () => {
    const hostile = '</script><img src=x onerror=alert(1)>';
    const endpoints = { [hostile]: figures(100, 10, 1, { [`5${hostile}`]: 1, '200': 9 }) };
    const doc = parse(
      renderHtmlReport(
        summary({
          profile: `<b>${hostile}`,
          target: `http://x/"><script>alert(1)</script>`,
          startedAt: `"><svg onload=alert(1)>`,
          endpoints,
          journeys: { [hostile]: figures(100, 10, 0) },
          verdicts: [
            {
              subject: `endpoint ${hostile}`,
              objective: { p95Ms: 50, p99Ms: 80, maxErrorRate: 0 },
              measured: { requests: 10, errors: 1, p95Ms: 100, p99Ms: 150 },
              passed: false,
              broken: [`p95 ${hostile}`],
            },
          ],
          capacity: {
            iterationsPerS: 3,
            requestsPerS: 9,
            brokenAt: { iterationsPerS: 4, broken: [hostile] },
          },
        }),
      ),
    );

    expect(doc.querySelectorAll('img, svg, b, [onerror], [onload]')).toHaveLength(0);
    // Only the report's own scripts: the chart data, uPlot and the code that draws.
    expect([...doc.querySelectorAll('script')].map((s) => s.getAttribute('type') ?? 'js')).toEqual([
      'application/json',
      'js',
      'js',
    ]);
    expect(text(doc.querySelector('#status-table tbody th'))).toBe(hostile);
    expect(text(doc.querySelector('#endpoint-figures tbody th'))).toBe(hostile);
    expect(text(doc.querySelector('#journey-figures tbody th'))).toBe(hostile);
    expect(text(sloRow(doc, `endpoint ${hostile}`).querySelector('.reasons'))).toBe(`p95 ${hostile}`);
    expect(text(doc.querySelector('.capacity li'))).toBe(hostile);
    expect(text(doc.querySelector('h1 .name'))).toBe(`<b>${hostile}`);
    expect(doc.querySelector('time')?.getAttribute('datetime')).toBe(`"><svg onload=alert(1)>`);
  });

  it('when the chart data holds markup, then the JSON cannot end its script element and reads back unchanged', () => {
    const value = { name: '</script><!-- <script>alert(1)</script>', n: [1, null] };
    const json = scriptJson(value);
    expect(json).not.toMatch(/[<>&]/);
    expect(JSON.parse(json)).toEqual(value);

    // A timeline field that is not a number is charted as a gap, not carried into the page.
    const timeline = [{ second: 0, arrivals: 1, requests: 1, errors: 0, p50Ms: 1, p95Ms: 1, p99Ms: 1 }];
    (timeline[0] as Record<string, unknown>).p95Ms = '</script><img src=x onerror=alert(1)>';
    const doc = parse(renderHtmlReport(summary({ timeline })));
    expect(doc.querySelectorAll('img')).toHaveLength(0);
    const data = JSON.parse(text(doc.querySelector('#timeline-data'))) as {
      p95: unknown[];
      second: number[];
    };
    expect(data).toMatchObject({ second: [0], p95: [null] });
  });

  it('when the summary carries marks (a fault in place, reverted), then the chart data and a table show them, as text', () => {
    const timeline = [0, 1, 2].map((second) => ({
      second,
      arrivals: 1,
      requests: 1,
      errors: 0,
      p50Ms: 1,
      p95Ms: 1,
      p99Ms: 1,
    }));
    const marks = [
      { second: 1, kind: 'fault' as const, label: 'kill on redis-0: in place' },
      { second: 2, kind: 'revert' as const, label: '<img src=x onerror=alert(1)>' },
    ];
    const doc = parse(renderHtmlReport(summary({ timeline, marks })));
    expect(doc.querySelectorAll('img')).toHaveLength(0);
    const rows = [...doc.querySelectorAll('#marks tbody tr')].map((r) =>
      [...r.querySelectorAll('th, td')].map((c) => text(c)),
    );
    expect(rows).toEqual([
      ['1.0', 'fault', 'kill on redis-0: in place'],
      ['2.0', 'revert', '<img src=x onerror=alert(1)>'],
    ]);
    const data = JSON.parse(text(doc.querySelector('#timeline-data'))) as { marks: unknown[] };
    expect(data.marks).toEqual(marks);
  });

  it('when the summary has no timeline, then it says so in place of the charts and inlines no script', () => {
    const { timeline: _, ...k6 } = summary({ engine: 'k6' });
    const doc = parse(renderHtmlReport(k6));
    expect(text(doc.querySelector('#no-timeline'))).toContain('No timeline');
    expect(text(doc.querySelector('#no-timeline'))).toContain('k6');
    expect(doc.querySelectorAll('.chart, script')).toHaveLength(0);
    // The tables are still there.
    expect(doc.querySelectorAll('#slo-table tbody tr').length).toBeGreaterThan(0);
  });

  // The parser runs no script: this holds the report's parts (chart elements, the inlined library, the
  // data), not that a browser draws the charts from them.
  it('when there is a timeline, then it has three labelled chart elements, uPlot inlined and allowed to run, and the data as a table', () => {
    const html = renderHtmlReport(summary());
    const doc = parse(html);
    const charts = [...doc.querySelectorAll('.chart')];
    expect(charts.map((c) => c.id)).toEqual(['chart-latency', 'chart-throughput', 'chart-errors']);
    for (const chart of charts) {
      expect(chart.getAttribute('role')).toBe('img');
      expect(chart.getAttribute('aria-label')).toBeTruthy();
    }
    expect(text(doc.querySelector('#chart-latency-desc'))).toContain(
      'p95 was above the alert level (1000 ms) in 1 of 3 seconds',
    );
    expect(doc.querySelectorAll('details table tbody tr')).toHaveLength(3);
    // Self-contained: the library is inline and nothing is loaded from elsewhere.
    expect(text(doc.querySelectorAll('script')[1])).toContain('uPlot');
    expect(doc.querySelectorAll('[src], link')).toHaveLength(0);
    // The Content-Security-Policy lets exactly the inlined scripts run (and loads nothing from elsewhere).
    const csp = doc.querySelector('meta[http-equiv="Content-Security-Policy"]')?.getAttribute('content');
    const hashes = [...doc.querySelectorAll('script:not([type])')].map(
      (s) => `'sha256-${createHash('sha256').update(s.textContent!).digest('base64')}'`,
    );
    expect(hashes).toHaveLength(2);
    expect(csp).toBe(`default-src 'none'; style-src 'unsafe-inline'; script-src ${hashes.join(' ')}`);
  });

  it('when its scripts run, then uPlot builds each of the three charts in its place, with a canvas and the series named in its legend', () => {
    // The report's own inlined scripts, run in this simulated DOM. It has no canvas (nor Path2D,
    // matchMedia), so those are stand-ins that accept every call: this checks what uPlot builds in
    // the page, not the pixels it paints.
    const dom = globalThis as unknown as {
      document: { body: { innerHTML: string }; getElementById(id: string): Element | null };
      HTMLCanvasElement: { prototype: { getContext: () => unknown } };
      Path2D?: unknown;
      matchMedia?: unknown;
    };
    const anything: object = new Proxy(function () {}, {
      get: (_target, key) => (key === 'measureText' ? () => ({ width: 8 }) : anything),
      apply: () => anything,
      construct: () => anything,
      set: () => true,
    });
    dom.HTMLCanvasElement.prototype.getContext = () => anything;
    dom.Path2D ??= anything;
    dom.matchMedia ??= () => ({ matches: false, addEventListener() {}, removeEventListener() {} });
    const doc = parse(renderHtmlReport(summary()));
    dom.document.body.innerHTML = bodyOf(doc);
    const scripts = [...doc.querySelectorAll('script:not([type])')].map((s) => s.textContent ?? '');
    expect(scripts).toHaveLength(2);
    for (const script of scripts) (0, eval)(script); // as the page would: in the global scope, in order
    const legends = ['chart-latency', 'chart-throughput', 'chart-errors'].map((id) => {
      const chart = dom.document.getElementById(id);
      expect(chart?.querySelectorAll('.uplot canvas'), id).toHaveLength(1);
      return [...chart!.querySelectorAll('.u-legend .u-label')].map((l) => text(l));
    });
    expect(legends).toEqual([
      ['p50', 'p95', 'p99', 'alert level (p95)'],
      ['requests answered/s', 'iterations started/s'],
      ['errors/s', 'alert level (5 % of requests)'],
    ]);
  });

  it('when endpoints answered with several statuses, then the status table counts each endpoint × status', () => {
    const doc = parse(renderHtmlReport(summary()));
    const table = doc.querySelector('#status-table')!;
    const heads = [...table.querySelectorAll('thead th')].map(text);
    expect(heads).toEqual([
      'Endpoint',
      '⚠ 0 (no answer)',
      '200',
      '201',
      '⚠ 503',
      'Requests',
      'Errors',
      'Error rate',
    ]);
    const rows = Object.fromEntries(
      [...table.querySelectorAll('tbody tr')].map((tr) => [
        text(tr.querySelector('th')),
        [...tr.querySelectorAll('td')].map(text),
      ]),
    );
    expect(rows).toEqual({
      'GET /api/products': ['0', '1,000', '0', '0', '1,000', '0', '0.00 %'],
      'POST /api/orders/:id/payment': ['2', '0', '191', '7', '200', '9', '4.50 %'],
    });
    expect(table.querySelector('td.bad[data-status="503"]')).not.toBeNull();
  });

  it('when the breakpoint profile found a capacity, then the header names it and what broke it', () => {
    const doc = parse(
      renderHtmlReport(
        summary({
          profile: 'breakpoint',
          capacity: {
            iterationsPerS: 7.965,
            requestsPerS: 22.07,
            brokenAt: {
              iterationsPerS: 8.13,
              broken: ['endpoint GET /api/products/:id: p95 252 ms > 250 ms'],
            },
          },
          droppedIterations: 12,
          interrupted: true,
          runners: 3,
        }),
      ),
    );
    const capacity = text(doc.querySelector('.capacity'));
    expect(capacity).toContain('SLO capacity: 8.0 iterations/s (22 req/s)');
    expect(capacity).toContain('broke at 8.1 iterations/s');
    expect(capacity).toContain('endpoint GET /api/products/:id: p95 252 ms > 250 ms');
    const facts = Object.fromEntries(
      [...doc.querySelectorAll('.facts > div')].map((f) => [
        text(f.querySelector('dt')),
        text(f.querySelector('dd')),
      ]),
    );
    expect(facts).toMatchObject({ 'Runners merged': '3', 'Dropped iterations': '12', Profile: 'breakpoint' });
    expect(text(doc.querySelector('header'))).toContain('Interrupted');
  });

  it('when the soak’s p95 drifted on an endpoint, then its flatness row says DRIFTED and the run FAILs for it, not for an SLO', () => {
    const endpoints = { 'GET /api/products': figures(120, 1000, 0, { '200': 1000 }) };
    const verdicts = judge({ endpoints, journeys: {} });
    const span = (fromMinute: number, p95Ms: number, requests = 500) => ({
      fromMinute,
      toMinute: fromMinute + 5,
      requests,
      p95Ms,
    });
    const flatness: Flatness = {
      baselineMinutes: [5, 10],
      tailMinutes: [25, 30],
      maxRatio: 1.2,
      minRequests: 50,
      runMinutes: 30,
      judged: true,
      endpoints: [
        {
          endpoint: 'GET /api/products',
          baseline: span(5, 100),
          tail: span(25, 131.4),
          judged: true,
          ratio: 1.314,
          passed: false,
        },
        {
          endpoint: 'GET /api/users/me',
          baseline: span(5, 40),
          tail: span(25, 42),
          judged: true,
          ratio: 1.05,
          passed: true,
        },
        {
          endpoint: 'POST /api/users',
          baseline: span(5, 300, 20),
          tail: span(25, 310, 20),
          judged: false,
          reason: '20 requests in minutes 5-10, 20 requests in minutes 25-30 (fewer than 50)',
        },
      ],
      passed: false,
    };
    const doc = parse(
      renderHtmlReport(
        summary({ profile: 'soak', endpoints, journeys: {}, verdicts, passed: false, flatness }),
      ),
    );
    const rows = Object.fromEntries(
      [...doc.querySelectorAll('#flatness-table tbody tr')].map((tr) => [
        text(tr.querySelector('th')),
        { className: tr.className, cells: [...tr.querySelectorAll('td')].map(text) },
      ]),
    );
    expect(rows['GET /api/products']).toEqual({
      className: 'broken',
      cells: ['100.0 ms', '500', '131.4 ms', '500', '1.31', '✗ DRIFTED 31.4 % slower'],
    });
    expect(rows['GET /api/users/me']?.cells.at(-1)).toBe('✓ flat');
    expect(rows['POST /api/users']?.className).toBe('not-judged');
    expect(rows['POST /api/users']?.cells.at(-1)).toMatch(/^not judged: 20 requests/);
    expect(text(doc.querySelector('#flatness-table thead'))).toContain('p95 minutes 25-30');
    expect(text(doc.querySelector('h1 .verdict'))).toContain('FAIL');
    expect(doc.querySelectorAll('#slo-table tr.broken')).toHaveLength(0);
    expect(text(doc.querySelector('.fail-note'))).toBe('p95 drifted on 1 endpoint: GET /api/products.');
    const facts = Object.fromEntries(
      [...doc.querySelectorAll('.facts > div')].map((f) => [
        text(f.querySelector('dt')),
        text(f.querySelector('dd')),
      ]),
    );
    expect(facts.Result).toBe('FAIL: p95 drifted');
  });

  it('when the soak was too short for flatness, then its section says why, and the run passes on its SLOs', () => {
    const endpoints = { 'GET /api/products': figures(120, 1000, 0, { '200': 1000 }) };
    const verdicts = judge({ endpoints, journeys: {} });
    const flatness: Flatness = {
      baselineMinutes: [5, 10],
      maxRatio: 1.2,
      minRequests: 50,
      runMinutes: 10,
      judged: false,
      reason: 'the run lasted 10 whole minutes; flatness is judged on runs of at least 15',
      endpoints: [],
      passed: true,
    };
    const doc = parse(
      renderHtmlReport(
        summary({ profile: 'soak', endpoints, journeys: {}, verdicts, passed: true, flatness }),
      ),
    );
    expect(text(doc.querySelector('#flatness-not-judged'))).toBe(
      'Not judged: the run lasted 10 whole minutes; flatness is judged on runs of at least 15.',
    );
    expect(doc.querySelector('#flatness-table')).toBeNull();
    expect(text(doc.querySelector('h1 .verdict'))).toContain('PASS');
    expect(doc.querySelector('nav a[href="#flatness"]')).not.toBeNull();
  });

  it('when written to a path in a missing directory, then the directory is made and the file is the report', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'html-report-'));
    try {
      const path = join(dir, 'a', 'b', 'run.html');
      await writeHtmlReport(summary(), path);
      expect(await readFile(path, 'utf8')).toBe(renderHtmlReport(summary()));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('a report with a preface (a DR drill)', () => {
  it("when a drill's check broke, then the title, the verdict and the checks table say so, escaped", () => {
    const doc = parse(
      renderHtmlReport(summary({ passed: true }), {
        kind: 'DR drill',
        name: 'service-crash',
        passed: false,
        facts: [['RTO', '3.0 s']],
        checks: [
          { name: 'no stock oversold', ok: true, detail: 'ledgers fine' },
          { name: 'every paid order has exactly one confirmation', ok: false, detail: '2 confirmed <twice>' },
        ],
      }),
    );
    expect(text(doc.querySelector('title'))).toMatch(/^FAIL: DR drill report, service-crash/);
    expect(text(doc.querySelector('h1'))).toContain('✗ FAIL');
    const rows = [...doc.querySelectorAll('#checks tbody tr')].map((r) => text(r));
    expect(rows).toHaveLength(2);
    expect(rows[1]).toContain('✗ BROKEN');
    expect(rows[1]).toContain('2 confirmed <twice>');
    expect(bodyOf(doc)).not.toContain('<twice>');
  });
});
