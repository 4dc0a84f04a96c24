import { UsageError } from '@stackdrill/toolkit';
import { describe, expect, it } from 'vitest';
import { parseSelector } from './targets.ts';

describe('parseSelector', () => {
  it('when a selector names a role, a partition leader, a member or a component, then it reads as such', () => {
    expect(parseSelector('redis:master')).toEqual({ kind: 'role', component: 'redis', role: 'master' });
    expect(parseSelector('kafka:controller-leader')).toEqual({
      kind: 'role',
      component: 'kafka',
      role: 'controller-leader',
    });
    expect(parseSelector('kafka:leader-of=order-events/2')).toEqual({
      kind: 'leader-of',
      topic: 'order-events',
      partition: 2,
    });
    expect(parseSelector('redis-1')).toEqual({ kind: 'member', member: 'redis-1' });
    expect(parseSelector('app:order')).toEqual({ kind: 'member', member: 'order', component: 'app' });
    expect(parseSelector('mongo')).toEqual({ kind: 'component', component: 'mongo' });
  });

  it('when a selector is malformed, then a UsageError says what a target can be', () => {
    for (const bad of ['', 'Redis!', 'disk:master', 'redis:leader-of=order-events/0', 'redis:MASTER']) {
      expect(() => parseSelector(bad), bad).toThrow(UsageError);
    }
    expect(() => parseSelector('disk:master')).toThrow(/unknown component "disk". A target is a role/);
    expect(() => parseSelector('redis:leader-of=x/0')).toThrow(/names a Kafka partition/);
  });
});
