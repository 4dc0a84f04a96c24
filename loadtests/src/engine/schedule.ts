import { durationSeconds, isOpenModel, type Scenario } from '../model/profiles.ts';

/**
 * When each iteration of a scenario is due, in ms from the start: an open model, so arrivals follow
 * the clock and not the answers. A ramp from r0 to r1 over T seconds has N(t) = r0·t + (r1 − r0)·t²/2T
 * arrivals by t; the k-th is due where N(t) = k.
 */
export function* arrivals(scenario: Scenario): Generator<number> {
  if (!isOpenModel(scenario))
    throw new RangeError(`${scenario.executor} is a VU executor: its iterations follow its VUs, not a clock`);
  if (scenario.executor === 'constant-arrival-rate') {
    const total = Math.floor(scenario.rate * durationSeconds(scenario.duration));
    for (let i = 0; i < total; i++) yield (i * 1000) / scenario.rate;
    return;
  }
  let stageStart = 0; // s
  let rate = scenario.startRate;
  let carried = 0; // the fraction of an arrival a stage hands to the next
  for (const stage of scenario.stages) {
    const length = durationSeconds(stage.duration);
    const slope = (stage.target - rate) / length;
    const inStage = rate * length + (slope * length * length) / 2 + carried;
    for (let k = 1; k <= Math.floor(inStage); k++) {
      const needed = k - carried;
      // Solve rate·t + slope·t²/2 = needed for the smallest t ≥ 0.
      const t =
        Math.abs(slope) < 1e-9
          ? needed / rate
          : (-rate + Math.sqrt(Math.max(0, rate * rate + 2 * slope * needed))) / slope;
      yield (stageStart + t) * 1000;
    }
    carried = inStage - Math.floor(inStage);
    stageStart += length;
    rate = stage.target;
  }
}

/** The same scenario, its time scaled so that it lasts `seconds` (for `--duration`). */
export function withDuration(scenario: Scenario, seconds: number): Scenario {
  if (scenario.executor === 'constant-arrival-rate' || scenario.executor === 'constant-vus')
    return { ...scenario, duration: `${Math.round(seconds)}s` };
  const total = scenario.stages.reduce((sum, s) => sum + durationSeconds(s.duration), 0);
  return {
    ...scenario,
    stages: scenario.stages.map((s) => ({
      ...s,
      duration: `${Math.max(1, Math.round((durationSeconds(s.duration) * seconds) / total))}s`,
    })),
  };
}
