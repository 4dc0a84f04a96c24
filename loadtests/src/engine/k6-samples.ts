import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { parse } from 'csv-parse';
import type { Profile } from '../model/profiles.ts';
import type { LoadSummary } from '../model/summary.ts';
import { CapacitySearch, RunAggregate } from './aggregate.ts';
import type { Tick } from './share.ts';
import { TallyMap } from './tally.ts';

/**
 * Our summary from k6's raw samples (`k6 run --out csv=…`, timestamps in ms: K6_CSV_TIME_FORMAT=
 * unix_milli): every `http_req_duration` sample goes into the same tallies the Node engine keeps, so a
 * k6 run gets histograms (mergeable, comparable), a timeline and, for the breakpoint, the same
 * capacity search. k6 measures from when it sent a request, not from when it was due; a stall shows
 * as `dropped_iterations` instead. The columns are read by their header names.
 */
export async function summaryFromK6Samples(
  csv: string,
  meta: { profileName: string; profile: Profile; target: string },
): Promise<LoadSummary> {
  const search = meta.profile.abortOnFail ? new CapacitySearch(meta.profile.scenario) : undefined;
  const aggregate = new RunAggregate(1, (second) => search?.observe(second) ?? false);
  let origin: number | undefined;
  let current:
    | {
        second: number;
        endpoints: TallyMap;
        journeys: TallyMap;
        arrivals: number;
        dropped: number;
      }
    | undefined;
  let lastMs = 0;
  const hand = (last: boolean) => {
    if (!current) return;
    const tick: Tick = {
      share: 0,
      second: current.second,
      arrivals: current.arrivals,
      dropped: current.dropped,
      inFlight: 0,
      endpoints: current.endpoints.toWire(),
      journeys: current.journeys.toWire(),
      last,
    };
    current.endpoints.destroy();
    current.journeys.destroy();
    aggregate.add(tick);
  };
  const at = (second: number) => {
    while (!current || current.second < second) {
      hand(false);
      current = {
        second: current ? current.second + 1 : 0,
        endpoints: new TallyMap(),
        journeys: new TallyMap(),
        arrivals: 0,
        dropped: 0,
      };
    }
    return current;
  };

  const input: Readable = createReadStream(csv);
  const rows = (csv.endsWith('.gz') ? input.pipe(createGunzip()) : input).pipe(
    parse({ columns: true, relax_column_count: true }),
  );
  for await (const row of rows as AsyncIterable<Record<string, string>>) {
    const ms = Number(row.timestamp);
    if (!Number.isFinite(ms)) continue;
    origin ??= ms;
    lastMs = Math.max(lastMs, ms);
    const second = at(Math.max(0, Math.floor((ms - origin) / 1000)));
    switch (row.metric_name) {
      case 'http_req_duration': {
        const status = Number(row.status) || 0;
        // k6 marks a response as expected by the script's responseCallback (the step's statuses).
        const ok =
          row.expected_response === undefined
            ? status >= 200 && status < 400
            : row.expected_response === 'true';
        const latencyMs = Number(row.metric_value);
        if (row.name) second.endpoints.get(row.name).record(latencyMs, status, ok);
        const journey = new URLSearchParams(row.extra_tags ?? '').get('journey');
        if (journey) second.journeys.get(journey).record(latencyMs, status, ok);
        break;
      }
      case 'iterations':
        // k6 counts an iteration when it ends: the timeline's arrivals are completions here.
        second.arrivals++;
        break;
      case 'dropped_iterations':
        second.dropped += Number(row.metric_value) || 1;
        break;
    }
  }
  if (origin === undefined)
    throw new Error(`${csv} holds no samples: did k6 run, and with --out csv=${csv}?`);
  hand(true);

  const capacity = search?.capacity();
  search?.destroy();
  const summary = aggregate.summary({
    engine: 'k6',
    profile: meta.profileName,
    target: meta.target,
    startedAtMs: origin,
    durationS: (lastMs - origin) / 1000,
    capacity,
  });
  aggregate.destroy();
  return summary;
}
