import type {
  ComponentHandle,
  ComponentName,
  Member,
  MemberFilter,
  MemberRole,
  Provider,
} from '@stackdrill/stack';
import { UsageError } from '@stackdrill/toolkit';

/**
 * What a fault acts on, written the way people say it:
 *   `redis:master`, `mongo:primary`, `kafka:controller-leader`, `app:gateway`   a role, as its protocol reports it now
 *   `kafka:leader-of=order-events/0`                                             the broker leading that partition now
 *   `redis-1`, `kafka-0`, `order`, `gateway`                                     one member by name
 *   `app:order`                                                                  a member of that component
 *   `redis`                                                                      every member of a component
 */
export type TargetSelector =
  | { kind: 'component'; component: ComponentName }
  | { kind: 'role'; component: ComponentName; role: MemberRole }
  | { kind: 'leader-of'; topic: string; partition: number }
  | { kind: 'member'; member: string; component?: ComponentName };

const COMPONENTS: readonly ComponentName[] = ['mongo', 'redis', 'kafka', 'app'];

/** The roles a selector may name, per component (what each protocol reports). */
export const SELECTABLE_ROLES: Record<ComponentName, readonly MemberRole[]> = {
  mongo: ['primary', 'secondary'],
  redis: ['master', 'replica', 'sentinel'],
  kafka: ['controller-leader', 'broker'],
  app: ['gateway', 'service', 'sink'],
};

const isComponent = (name: string): name is ComponentName => (COMPONENTS as readonly string[]).includes(name);

/** Parses a selector's text; the members it names are checked against a stack by `resolveTargets`. */
export function parseSelector(text: string): TargetSelector {
  const trimmed = text.trim();
  const [head, rest] = trimmed.split(/:(.*)/s, 2) as [string, string | undefined];
  if (rest === undefined) {
    if (isComponent(head)) return { kind: 'component', component: head };
    if (/^[a-z][a-z0-9-]*$/.test(head)) return { kind: 'member', member: head };
    throw new UsageError(`target "${text}" is not a selector. ${SELECTOR_HELP}`);
  }
  if (!isComponent(head))
    throw new UsageError(`target "${text}": unknown component "${head}". ${SELECTOR_HELP}`);
  const leaderOf = /^leader-of=([A-Za-z0-9._-]+)\/(\d+)$/.exec(rest);
  if (leaderOf) {
    if (head !== 'kafka')
      throw new UsageError(`target "${text}": leader-of= names a Kafka partition (kafka:leader-of=TOPIC/N)`);
    return { kind: 'leader-of', topic: leaderOf[1]!, partition: Number(leaderOf[2]) };
  }
  if ((SELECTABLE_ROLES[head] as readonly string[]).includes(rest))
    return { kind: 'role', component: head, role: rest as MemberRole };
  if (/^[a-z][a-z0-9-]*$/.test(rest)) return { kind: 'member', member: rest, component: head };
  throw new UsageError(
    `target "${text}": "${rest}" is neither a role of ${head} nor a member. ${SELECTOR_HELP}`,
  );
}

export const SELECTOR_HELP =
  'A target is a role (redis:master, redis:replica, redis:sentinel, mongo:primary, kafka:controller-leader, ' +
  'app:gateway), a partition leader (kafka:leader-of=order-events/0), a member (redis-1, kafka-0, order) or a ' +
  'whole component (redis).';

/** A member a fault acts on: its handle and what its protocol said of it when it was picked. */
export interface Target {
  handle: ComponentHandle;
  member: Member;
}

/**
 * The members a selector names on this stack now. Roles come from the protocols at this moment (the
 * master now, not the one that was started as master). A selector that matches nothing is a
 * UsageError listing what there is, raised before anything is touched.
 */
export async function resolveTargets(
  provider: Provider,
  selector: TargetSelector,
  text: string,
): Promise<Target[]> {
  const pick = async (handle: ComponentHandle, filter: MemberFilter = {}, names?: string[]) =>
    (await handle.members(filter))
      .filter((m) => names === undefined || names.includes(m.name))
      .map((member) => ({ handle, member }));
  let targets: Target[];
  switch (selector.kind) {
    case 'component':
      targets = await pick(provider.handle(selector.component));
      break;
    case 'role':
      targets = await pick(provider.handle(selector.component), { role: selector.role });
      break;
    case 'leader-of': {
      const topics = provider.endpoints().kafka.topics;
      if (!topics.includes(selector.topic))
        throw new UsageError(`target "${text}": no topic "${selector.topic}"; topics: ${topics.join(', ')}`);
      targets = await pick(provider.handle('kafka'), {
        leaderOf: { topic: selector.topic, partition: selector.partition },
      });
      break;
    }
    case 'member': {
      const handle = provider
        .handles()
        .find(
          (h) =>
            (selector.component === undefined || h.name === selector.component) &&
            h.memberNames().includes(selector.member),
        );
      if (!handle) {
        const roles = selector.component
          ? ` "${selector.member}" is neither a role of ${selector.component} (${SELECTABLE_ROLES[selector.component].join(', ')}) nor one of its members.`
          : '';
        throw new UsageError(`target "${text}" names no member.${roles} Members: ${memberList(provider)}`);
      }
      targets = await pick(handle, {}, [selector.member]);
      break;
    }
  }
  if (targets.length === 0) {
    throw new UsageError(
      `target "${text}" matches no member of the ${provider.instance} instance now ` +
        `(is it up? \`pnpm stack:status --instance ${provider.instance}\`). Members: ${memberList(provider)}`,
    );
  }
  return targets;
}

function memberList(provider: Provider): string {
  return provider
    .handles()
    .map((h) => `${h.name}: ${h.memberNames().join(', ')}`)
    .join('; ');
}
