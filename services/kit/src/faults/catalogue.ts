import { KAFKA_TOPICS, type KafkaTopic } from '@stackdrill/facts';
import { z } from 'zod';
import { AppError } from '../errors.ts';
import type { Logger } from '../logger.ts';

/**
 * The fault switches: named, documented application faults that a chaos experiment turns on and
 * off at run time through `/internal/faults` (the routes in routes.ts, behind the service API key).
 * Every service has the kit's (`routes`, `consumers`); a service may add its own with
 * `FaultSwitches.add` (the order service's `payment`). Each switch is declared once here, with its
 * description and fields: the docs (docs/api.md) list them, and the 400 of a bad change names them.
 */
export interface FaultSwitchDefinition<V, C = V> {
  name: string;
  /** Which services have it: `every service` for the kit's, else the one that adds it. */
  scope: string;
  /** What the switch does while it is on: the one description, as the docs give it. */
  description: string;
  /** Every field a change may give, with its meaning (docs, error messages). */
  fields: Record<string, string>;
  /** What `PUT /internal/faults` accepts for this switch; strict, so an unknown field is a 400. */
  change: z.ZodType<C>;
  /** The switch's value after a change. */
  apply(current: V, change: C): V;
  /** Its value when it is off: its value at boot, and after `DELETE /internal/faults`. */
  off: V;
  isOn(value: V): boolean;
  /** A change that turns it on, for the docs' example. */
  example: unknown;
}

/** Declares a switch (the identity, for its types). */
export function defineFaultSwitch<V, C>(
  definition: FaultSwitchDefinition<V, C>,
): FaultSwitchDefinition<V, C> {
  return definition;
}

/** A change's fields that were given (undefined ones keep their value) merged into the current value. */
export function mergeGiven<V extends object>(current: V, change: Partial<V>): V {
  const given = Object.entries(change).filter(([, value]) => value !== undefined);
  return { ...current, ...Object.fromEntries(given) };
}

// ---- routes: latency and errors on requests that match ----

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
/** Paths no fault ever touches: probes, metrics, the API document. (`/internal/…` neither.) */
const EXEMPT_PATHS = ['/health', '/ready', '/metrics', '/openapi.json'];

/**
 * Whether no fault may touch a path: `/health`, `/ready`, `/metrics`, `/openapi.json` and
 * everything under `/internal`. Compared as Express routes (case-insensitive, trailing slash ignored).
 */
export function isExemptPath(path: string): boolean {
  const p = normalisePath(path);
  return EXEMPT_PATHS.includes(p) || p === '/internal' || p.startsWith('/internal/');
}

const normalisePath = (path: string) => path.toLowerCase().replace(/\/+$/, '') || '/';

/** Whether a request (method, path without the query) fits a rule's `match`. */
export type RequestMatcher = (method: string, path: string) => boolean;

/**
 * Compiles a `match` (the matching rule, as docs/api.md gives it):
 * - `*`: every request but the exempt ones (isExemptPath);
 * - `[METHOD ]PATH`: METHOD is GET, HEAD, POST, PUT, PATCH, DELETE or `*` (any; the default), and a
 *   GET rule matches HEAD too. PATH is compared segment by segment: `:name` stands for any one
 *   segment (the route patterns of the API table and the metrics, e.g. `/api/orders/:id/payment`),
 *   and a final `/*` makes it a prefix: the path before it and everything below it
 *   (`/api/orders/*` matches `/api/orders` and `/api/orders/1/payment`, not `/api/ordersx`). Case and
 *   a trailing slash do not matter, as in the services' routing.
 * Returns the reason when the text is not a rule.
 */
export function compileMatch(match: string): RequestMatcher | string {
  const text = match.trim();
  if (text === '*') return (_method, path) => !isExemptPath(path);
  const words = text.split(/\s+/);
  if (words.length > 2 || words.length === 0 || !words[0]) {
    return 'a match is "*", "PATH" or "METHOD PATH", e.g. "POST /api/orders" or "GET /api/products/*"';
  }
  const method = words.length === 2 ? words[0].toUpperCase() : '*';
  const pattern = words.length === 2 ? words[1]! : words[0];
  if (method !== '*' && !(METHODS as readonly string[]).includes(method)) {
    return `"${words[0]}" is not a method: use ${METHODS.join(', ')} or *`;
  }
  if (!pattern.startsWith('/')) return `the path "${pattern}" must start with /`;
  const segments = normalisePath(pattern).split('/').slice(1);
  const prefix = segments.at(-1) === '*';
  if (prefix) segments.pop();
  for (const segment of segments) {
    if (segment === '*') return 'a * in a path may only end it ("/api/products/*")';
    if (!/^(:[a-z_]\w*|[\w.~%-]+)$/i.test(segment)) {
      return `"${segment}" is not a path segment: letters, digits, . _ ~ % - or :name`;
    }
  }
  const literal = `/${segments.join('/')}`;
  if (segments.length > 0 && !segments.some((s) => s.startsWith(':')) && isExemptPath(literal)) {
    return `${literal} is never affected by faults (nor are /health, /ready, /metrics, /openapi.json and /internal)`;
  }
  return (requestMethod, path) => {
    if (isExemptPath(path)) return false;
    const m = requestMethod.toUpperCase();
    if (method !== '*' && m !== method && !(method === 'GET' && m === 'HEAD')) return false;
    const actual = normalisePath(path).split('/').slice(1);
    if (actual.length === 1 && actual[0] === '') actual.pop();
    if (prefix ? actual.length < segments.length : actual.length !== segments.length) return false;
    return segments.every((s, i) => (s.startsWith(':') ? actual[i] !== '' : s === actual[i]));
  };
}

const MAX_DELAY_MS = 60_000;

const ROUTE_RULE = z
  .strictObject({
    match: z
      .string()
      .max(200)
      .superRefine((match, ctx) => {
        const compiled = compileMatch(match);
        if (typeof compiled === 'string') ctx.addIssue({ code: 'custom', message: compiled });
      }),
    latencyMs: z.number().int().min(0).max(MAX_DELAY_MS).default(0),
    jitterMs: z.number().int().min(0).max(MAX_DELAY_MS).default(0),
    errorRate: z.number().min(0).max(1).default(0),
  })
  .refine((rule) => rule.latencyMs > 0 || rule.jitterMs > 0 || rule.errorRate > 0, {
    message: 'this rule does nothing: give it latencyMs, jitterMs or errorRate',
  });

/** One rule of the `routes` switch, its omitted numbers 0. */
export type RouteFault = z.output<typeof ROUTE_RULE>;

export const ROUTES_SWITCH = defineFaultSwitch<readonly RouteFault[], RouteFault[]>({
  name: 'routes',
  scope: 'every service',
  description:
    'Requests that match a rule wait `latencyMs` ± `jitterMs` before they are handled, and a share `errorRate` of them is then answered 503 `FAULT_INJECTED` (with `Retry-After: 1`) instead. The value is a list of rules, replaced whole by each change (`[]` turns it off); the first rule that matches a request applies. `/health`, `/ready`, `/metrics`, `/openapi.json` and `/internal/…` are never affected.',
  fields: {
    match:
      '`*` (every request), `PATH` or `METHOD PATH`: a `:name` segment matches any one segment, a final `/*` makes the path a prefix (`GET /api/products/*`), a GET rule also matches HEAD',
    latencyMs: 'added before the request is handled, 0 to 60000 ms',
    jitterMs: 'the delay varies uniformly by up to this much either way (never below 0), 0 to 60000 ms',
    errorRate: 'share of matching requests answered 503 instead of being handled, 0 to 1',
  },
  change: z.array(ROUTE_RULE).max(20),
  apply: (_current, change) => change,
  off: [],
  isOn: (rules) => rules.length > 0,
  example: [{ match: 'POST /api/orders', latencyMs: 300, jitterMs: 100, errorRate: 0.2 }],
});

// ---- consumers: a stalled event consumer ----

export interface ConsumerFault {
  stalled: boolean;
  /** The topics whose messages wait; empty: every topic. */
  topics: KafkaTopic[];
}

export const CONSUMERS_SWITCH = defineFaultSwitch<ConsumerFault, Partial<ConsumerFault>>({
  name: 'consumers',
  scope: 'every service',
  description:
    "The service's event consumer waits before each message it takes (of `topics`, or every topic), until the switch is turned off: messages pile up as consumer lag, then are handled in order. A waiting consumer keeps its group membership, and a service that stops while stalled leaves the waiting message unhandled for the next one (never blocked). No effect in a service without an event consumer (only notification and analytics consume).",
  fields: {
    stalled: '`true` stalls, `false` lets the messages go',
    topics: `only these topics stall (${KAFKA_TOPICS.map((t) => `\`${t}\``).join(', ')}); \`[]\`: every topic`,
  },
  change: z.strictObject({
    stalled: z.boolean().optional(),
    topics: z.array(z.enum(KAFKA_TOPICS)).max(KAFKA_TOPICS.length).optional(),
  }),
  apply: (current, change) => mergeGiven(current, change),
  off: { stalled: false, topics: [] },
  isOn: (value) => value.stalled,
  example: { stalled: true, topics: ['order-events'] },
});

// ---- idempotency: test only, a consumer without its idempotency ----

export interface IdempotencyFault {
  /** `false`: the consumer handles every delivery as new and commits no offsets. */
  dedupe: boolean;
}

/**
 * Test only: a service has it when started with TEST_SWITCHES=true, which only the test suite's
 * instance sets. It breaks an invariant on purpose, so a test can show that the service-crash
 * drill's checks catch a consumer that is not idempotent.
 */
export const IDEMPOTENCY_SWITCH = defineFaultSwitch<IdempotencyFault, Partial<IdempotencyFault>>({
  name: 'idempotency',
  scope: 'every service with an event consumer, on the test instance only (TEST_SWITCHES)',
  description:
    "Test only. The service's event consumer forgets its idempotency: it neither checks nor records the events it handled, hands each delivery to its handler under a fresh id (so the handler's keyed writes do not dedupe either), and commits no offsets while on, so a crash redelivers every event since it was turned on and each is handled again: duplicate confirmations, sales counted twice. Proves that the service-crash drill's checks can fail.",
  fields: { dedupe: '`false` turns the idempotency off, `true` on again' },
  change: z.strictObject({ dedupe: z.boolean().optional() }),
  apply: (current, change) => mergeGiven(current, change),
  off: { dedupe: true },
  isOn: (value) => !value.dedupe,
  example: { dedupe: false },
});

/** Any switch, whatever its value's type. */
export type AnyFaultSwitch = FaultSwitchDefinition<unknown, unknown>;

/** The switches every service has, in the order they are listed. */
export const KIT_FAULT_SWITCHES: readonly AnyFaultSwitch[] = [ROUTES_SWITCH, CONSUMERS_SWITCH];

/** What a consumer tells a stall about itself (kafkajs's eachBatch gives both). */
export interface StalledConsumer {
  /** False once the consumer stops (or its batch is stale): the waiting message is left. */
  isRunning(): boolean;
  /** Keeps its group membership while it waits. */
  heartbeat(): Promise<void>;
}

/** How often a stalled consumer checks that it still runs, and heartbeats, while it waits. */
export const STALL_CHECK_MS = 250;

/** A switch added to a service: its current value. */
export interface FaultSwitch<V> {
  readonly name: string;
  readonly value: V;
}

/** `GET /internal/faults`: every switch's value, and which are on. */
export interface FaultSwitchesState {
  service: string;
  active: string[];
  switches: Record<string, unknown>;
}

/**
 * One service's fault switches and their values. Changes come validated (`change`: a 400 names what
 * was wrong and lists the switches), are logged once at info with what changed, and wake whatever
 * waits on a switch (a stalled consumer). `reset` turns everything off.
 */
export class FaultSwitches {
  /** The random source of every draw a fault makes (error rates, jitter): injectable for tests. */
  readonly random: () => number;
  private readonly definitions = new Map<string, AnyFaultSwitch>();
  private readonly values = new Map<string, unknown>();
  private readonly waiters = new Set<() => void>();

  constructor(
    readonly service: string,
    private readonly logger: Logger,
    options: { random?: () => number } = {},
  ) {
    this.random = options.random ?? Math.random;
    for (const definition of KIT_FAULT_SWITCHES) this.add(definition);
  }

  /** Adds a switch of this service's own, at `initial` (its boot value; off unless given). */
  add<V, C>(definition: FaultSwitchDefinition<V, C>, initial: V = definition.off): FaultSwitch<V> {
    if (this.definitions.has(definition.name)) {
      throw new Error(`${this.service} already has a fault switch named ${definition.name}`);
    }
    this.definitions.set(definition.name, definition as unknown as AnyFaultSwitch);
    this.values.set(definition.name, initial);
    if (definition.isOn(initial)) {
      this.logger.info(
        { faults: { [definition.name]: initial } },
        `fault switch ${definition.name} is on at boot`,
      );
    }
    const values = this.values;
    return {
      name: definition.name,
      get value() {
        return values.get(definition.name) as V;
      },
    };
  }

  get routes(): readonly RouteFault[] {
    return this.values.get(ROUTES_SWITCH.name) as readonly RouteFault[];
  }

  get consumers(): ConsumerFault {
    return this.values.get(CONSUMERS_SWITCH.name) as ConsumerFault;
  }

  /** The test-only idempotency switch's value (idempotent when the service does not have it). */
  get idempotency(): IdempotencyFault {
    return (
      (this.values.get(IDEMPOTENCY_SWITCH.name) as IdempotencyFault | undefined) ?? IDEMPOTENCY_SWITCH.off
    );
  }

  names(): string[] {
    return [...this.definitions.keys()];
  }

  /** Each switch's name and whether it is on (the `stackdrill_fault_active` gauge). */
  onOff(): Record<string, boolean> {
    return Object.fromEntries(
      [...this.definitions].map(([name, definition]) => [name, definition.isOn(this.values.get(name))]),
    );
  }

  active(): string[] {
    return Object.entries(this.onOff())
      .filter(([, on]) => on)
      .map(([name]) => name);
  }

  state(): FaultSwitchesState {
    return { service: this.service, active: this.active(), switches: Object.fromEntries(this.values) };
  }

  /**
   * Applies a change (`PUT /internal/faults`): the switches it names, each with what its `change`
   * schema accepts. Returns the new value of each switch it named. Throws a 400 AppError when the
   * change names an unknown switch or gives a bad value: nothing is changed then.
   */
  change(body: unknown): Record<string, unknown> {
    const schema = z.strictObject(
      Object.fromEntries([...this.definitions].map(([name, d]) => [name, d.change.optional()])),
    );
    const parsed = schema.safeParse(body);
    if (!parsed.success) throw this.invalid(parsed.error.issues);
    const given = Object.entries(parsed.data).filter(([, change]) => change !== undefined);
    if (given.length === 0) {
      throw new AppError(
        400,
        'VALIDATION_FAILED',
        `name at least one fault switch to change; the switches of the ${this.service} service are ${this.names().join(', ')}`,
      );
    }
    const updated: Record<string, unknown> = {};
    const changed: Record<string, { from: unknown; to: unknown }> = {};
    for (const [name, change] of given) {
      const from = this.values.get(name);
      const to = this.definitions.get(name)!.apply(from, change);
      this.values.set(name, to);
      updated[name] = to;
      if (JSON.stringify(from) !== JSON.stringify(to)) changed[name] = { from, to };
    }
    this.changed(changed, 'changed');
    return updated;
  }

  /** Every switch off (`DELETE /internal/faults`, a chaos run's revert); idempotent. */
  reset(): FaultSwitchesState {
    const changed: Record<string, { from: unknown; to: unknown }> = {};
    for (const [name, definition] of this.definitions) {
      const from = this.values.get(name);
      this.values.set(name, definition.off);
      if (JSON.stringify(from) !== JSON.stringify(definition.off))
        changed[name] = { from, to: definition.off };
    }
    this.changed(changed, 'reset');
    return this.state();
  }

  /** Whether messages of `topic` wait (the `consumers` switch). */
  stalls(topic: string): boolean {
    const { stalled, topics } = this.consumers;
    return stalled && (topics.length === 0 || (topics as string[]).includes(topic));
  }

  /**
   * Waits while the `consumers` switch stalls `topic`: returns true at once when it does not, or as
   * soon as it is turned off (woken by the change, not polled); false when the consumer stops (or
   * its batch goes stale) first, checked every STALL_CHECK_MS while heartbeating, so a stall never
   * holds up a shutdown or a rebalance, and the waiting message is left for the next consumer.
   */
  async whileStalled(topic: string, consumer: StalledConsumer): Promise<boolean> {
    while (this.stalls(topic)) {
      if (!consumer.isRunning()) return false;
      await consumer.heartbeat();
      await this.nextChange(STALL_CHECK_MS);
    }
    return consumer.isRunning();
  }

  private nextChange(atMostMs: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.waiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, atMostMs);
      this.waiters.add(wake);
    });
  }

  private changed(changed: Record<string, { from: unknown; to: unknown }>, how: 'changed' | 'reset'): void {
    const names = Object.keys(changed);
    if (names.length > 0) {
      this.logger.info(
        { faults: { changed, active: this.active() } },
        `fault switches ${how}: ${names.join(', ')}`,
      );
    }
    for (const wake of [...this.waiters]) wake();
  }

  /** A 400 that says what was wrong, in words, and lists the switches. */
  private invalid(issues: z.core.$ZodIssue[]): AppError {
    const problems = issues.map((issue) => ({
      path: issue.path.map(String).join('.'),
      message: this.explain(issue),
    }));
    return new AppError(
      400,
      'VALIDATION_FAILED',
      `${problems.map((p) => p.message).join('; ')} (the fault switches of the ${this.service} service: ${this.names().join(', ')})`,
      problems,
    );
  }

  private explain(issue: z.core.$ZodIssue): string {
    const [name, ...rest] = issue.path;
    const where = [
      String(name),
      ...rest.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)),
    ].join('');
    if (name === undefined) {
      if (issue.code === 'unrecognized_keys') {
        return `unknown fault switch ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
      }
      return 'the body must be a JSON object naming the switches to change, e.g. {"routes": []}';
    }
    const definition = this.definitions.get(String(name))!;
    const fields = Object.keys(definition.fields);
    if (issue.code === 'unrecognized_keys') {
      return `${where}: unknown field ${issue.keys.map((k) => `"${k}"`).join(', ')}; its fields are ${fields.join(', ')}`;
    }
    // A field's meaning helps with a bad number or type; a custom issue (a match) explains itself.
    const field = [...rest].reverse().find((p): p is string => typeof p === 'string' && fields.includes(p));
    const meaning =
      field && issue.code !== 'custom' ? ` (${field}: ${definition.fields[field]!.replaceAll('`', '')})` : '';
    return `${where}: ${issue.message}${meaning}`;
  }
}
