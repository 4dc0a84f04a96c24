export {
  constantRate,
  latencyHistogram,
  type ConstantRateOptions,
  type LatencySummary,
} from './engine/open-loop.ts';
