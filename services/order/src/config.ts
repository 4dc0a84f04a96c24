import { env, sharedConfig, type ConfigSchema } from '@stackdrill/kit';
import { SERVICE_DEFAULTS, serviceDb } from '@stackdrill/facts';
import { z } from 'zod';
import { CRASH_POINTS } from './domain/faults.ts';

/** The order service's configuration: one entry per environment variable (rendered to .env.example). */
export const ORDER_CONFIG = {
  ...sharedConfig({ service: 'order', db: serviceDb('order') }),
  productServiceUrl: {
    env: 'PRODUCT_SERVICE_URL',
    doc: 'base URL of the product service (stock reservations)',
    schema: env.url(),
    default: SERVICE_DEFAULTS.urlOf('product'),
  },
  paymentFailureRate: {
    env: 'PAYMENT_FAILURE_RATE',
    doc: 'fault switch: share of payments the simulated provider declines, 0 to 1 (changeable at run time)',
    schema: z.coerce.number().min(0).max(1),
    default: '0',
  },
  paymentLatencyMs: {
    env: 'PAYMENT_LATENCY_MS',
    doc: 'fault switch: latency the simulated provider adds to every charge (changeable at run time)',
    schema: env.int(0),
    default: '0',
  },
  reservationTimeoutS: {
    env: 'RESERVATION_TIMEOUT_S',
    doc: 'an order request unanswered this long is given up and, after the grace period, its stock released',
    schema: env.int(60),
    default: '900',
  },
  reservationGraceS: {
    env: 'RESERVATION_GRACE_S',
    doc: 'wait between giving a request up and releasing its stock; longer than any request can run',
    schema: env.int(30),
    default: '120',
  },
  sweepIntervalS: {
    env: 'SWEEP_INTERVAL_S',
    doc: 'how often abandoned order requests are looked for',
    schema: env.int(1),
    default: '60',
  },
  crashPoint: {
    env: 'CRASH_POINT',
    doc: 'fault switch for crash-recovery tests: the process kills itself (SIGKILL) at this point; none in normal runs',
    schema: env.enumOf(CRASH_POINTS),
    default: 'none',
  },
} satisfies ConfigSchema;
