import { describe, expect, it } from 'vitest';
import { EventLog } from '../../src/simulator/event-log.js';
import type { EnvironmentContext, EventRecord } from '../../src/simulator/event-record.js';

const env: EnvironmentContext = { accountId: 'us_acc_x', environmentId: 'us_env_x', workbooksBySpace: new Map() };
const rec = (id: string, t: number, acked = false): EventRecord => ({
  id, t, topic: 'file:created', spaceId: undefined, actorId: undefined, ackBy: acked ? 'us_ag_x' : undefined, seed: 1, env, raw: undefined,
});
const page = (log: EventLog, q: Partial<Parameters<EventLog['page']>[0]>) =>
  log.page({ sinceMs: undefined, includeAcknowledged: true, newestFirst: true, offset: 0, limit: 100, ...q }).map((r) => r.id);

describe('EventLog', () => {
  const log = () => new EventLog([rec('a', 10), rec('b', 20, true), rec('c', 20), rec('d', 30), rec('e', 40, true)]);

  it('pages newest first from the end and oldest first from the start', () => {
    expect(page(log(), { offset: 1, limit: 2 })).toEqual(['d', 'c']);
    expect(page(log(), { newestFirst: false, offset: 1, limit: 2 })).toEqual(['b', 'c']);
    expect(page(log(), { offset: 5 })).toEqual([]);
  });

  it('hides acknowledged records and applies since inclusively', () => {
    expect(page(log(), { includeAcknowledged: false })).toEqual(['d', 'c', 'a']);
    expect(page(log(), { sinceMs: 20 })).toEqual(['e', 'd', 'c', 'b']);
    expect(page(log(), { sinceMs: 20, newestFirst: false, offset: 1, limit: 2 })).toEqual(['c', 'd']);
  });

  it('inserts late records in place and new ones at the end', () => {
    const l = log();
    l.insert([rec('z', 50), rec('bb', 20)]);
    expect(page(l, { newestFirst: false })).toEqual(['a', 'b', 'bb', 'c', 'd', 'e', 'z']);
    expect(page(l, { includeAcknowledged: false, newestFirst: false })).toEqual(['a', 'bb', 'c', 'd', 'z']);
    expect(l.size).toBe(7);
  });

  it('lists tail records last in both orders, whatever since says', () => {
    const l = log();
    l.appendToTail({ ...rec('', Number.NaN), raw: { broken: true } });
    expect(page(l, { sinceMs: 35 })).toEqual(['e', '']);
    expect(page(l, { newestFirst: false, sinceMs: 35 })).toEqual(['e', '']);
    expect(l.size).toBe(5);
  });
});
