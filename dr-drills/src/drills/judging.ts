import type { CanaryFigures } from '../canary/canary-figures.ts';
import type { Check, DrillOutcome, DrillVerdict } from '../drill.ts';

/** The canary of one datastore in an outcome (the drill named it, so it is there). */
export function canaryOf(outcome: DrillOutcome, datastore: string): CanaryFigures {
  const figures = outcome.canaries.find((c) => c.datastore === datastore);
  if (!figures) throw new Error(`the drill ran no ${datastore} canary`);
  return figures;
}

export const secondsOf = (ms: number | undefined) => (ms === undefined ? undefined : ms / 1000);

/** RTO against a target, from a canary: undefined (never recovered within the run) fails. */
export function rtoCheck(figures: CanaryFigures, targetS: number, what: string): Check {
  const rtoS = secondsOf(figures.rtoMs);
  return {
    name: `RTO ≤ ${targetS} s (${what})`,
    ok: rtoS !== undefined && rtoS <= targetS,
    detail:
      rtoS === undefined
        ? `the ${figures.datastore} canary's writes did not recover before the drill ended`
        : figures.outage
          ? `${rtoS.toFixed(1)} s: ${figures.datastore} writes failed from ${((figures.outage.from - (figures.outage.to! - figures.rtoMs!)) / 1000).toFixed(1)} s after the fault`
          : `0 s: no ${figures.datastore} write failed or was slow`,
  };
}

/** No acknowledged write lost, and none stored twice. */
export function noLossCheck(figures: CanaryFigures): Check {
  return {
    name: `0 acknowledged ${figures.datastore} writes lost`,
    ok: figures.lost.length === 0 && figures.duplicated.length === 0,
    detail:
      `${figures.acked} of ${figures.written} writes acknowledged, ${figures.lost.length} of them lost` +
      (figures.lost.length ? ` (seq ${abbreviate(figures.lost)})` : '') +
      (figures.duplicated.length
        ? `, ${figures.duplicated.length} stored twice (seq ${abbreviate(figures.duplicated)})`
        : '') +
      `; ${figures.failed} not acknowledged (${figures.landedUnacked} of those landed anyway)`,
  };
}

export function abbreviate(seqs: number[]): string {
  return seqs.length > 8 ? `${seqs.slice(0, 8).join(', ')}, … ${seqs.length - 8} more` : seqs.join(', ');
}

/** The verdict of a drill judged by one canary alone: its RTO against the target, and no write lost. */
export function oneCanaryVerdict(
  outcome: DrillOutcome,
  datastore: string,
  targetS: number,
  what: string,
): DrillVerdict {
  const figures = canaryOf(outcome, datastore);
  return {
    rtoS: secondsOf(figures.rtoMs),
    rpoS: secondsOf(figures.rpoMs),
    checks: [rtoCheck(figures, targetS, what), noLossCheck(figures)],
  };
}
