// What the tests' hand-made summaries share: the header of a node-engine `average` run.
import { SUMMARY_FORMAT, type LoadSummary } from '../model/summary.ts';

export const TEST_RUN = {
  format: SUMMARY_FORMAT,
  engine: 'node',
  profile: 'average',
  target: 'http://127.0.0.1:8080',
  startedAt: '2025-01-01T02:00:00.000Z',
} as const satisfies Partial<LoadSummary>;
