/** Rule 19 of src/store/audit-store.ts (counts equal the events), for any store. */
import { describe, expect, it } from 'vitest';
import type { PruneStep } from '../../../src/store/audit-store.js';
import { verifyEventChains } from '../../../src/store/chain/verify-event-chain.js';
import { verifyEventCounts } from '../../../src/store/chain/verify-event-counts.js';
import type { EventRecord } from '../../../src/records.js';
import { event, opened, page, query, reader, type ContractStore, type FreshStore } from './fixtures.js';

const A = 'us_env_a';
const B = 'us_env_b';
/** Every kind of actor id the audit_trail view tells apart, 'other' and none among them. */
const ACTORS = [null, 'us_usr_1', 'us_g_2', 'us_ag_3', 'us_key_4', 'other_5', 'us_us'];

/** Event n of an environment: 23 minutes after the one before (so hours hold 2 or 3), by an actor of each kind in turn; `id` shared across environments when given. */
function counted(environmentId: string, n: number, id?: string): EventRecord {
  return event(environmentId, n, {
    ...(id ? { id } : {}),
    createdAt: new Date(Date.parse('2026-10-01T00:00:00.000Z') + n * 23 * 60_000 + (n % 5) * 1_000).toISOString(),
    actorId: ACTORS[n % ACTORS.length]!,
  });
}

const range = (environmentId: string, from: number, to: number) => Array.from({ length: to - from + 1 }, (_v, i) => counted(environmentId, from + i));

/** The hour a stored created_at falls in, however the store's driver hands it back. */
const hourOf = (value: unknown) => `${new Date(String(value)).toISOString().slice(0, 13)}:00:00.000Z`;

/** Both sides of the rule, grouped the same way: event_counts summed, and the audit_trail view's rows counted. */
async function sides(s: ContractStore): Promise<{ counts: string[]; events: string[] }> {
  const group = (rows: Array<[unknown, unknown, unknown, number]>) => {
    const sums = new Map<string, number>();
    for (const [env, hour, type, n] of rows) {
      const key = `${String(env)} ${hourOf(hour)} ${String(type)}`;
      sums.set(key, (sums.get(key) ?? 0) + n);
    }
    return [...sums].map(([k, n]) => `${k} ${n}`).sort();
  };
  const counts = await query(s, 'SELECT environment_id, hour, actor_type, sum(count) AS n FROM event_counts GROUP BY environment_id, hour, actor_type');
  const events = await query(s, 'SELECT environment_id, created_at, actor_type FROM audit_trail');
  return {
    counts: group(counts.map((r) => [r.environment_id, r.hour, r.actor_type, Number(r.n)])),
    events: group(events.map((r) => [r.environment_id, r.created_at, r.actor_type, 1])),
  };
}

async function expectCountsEqualEvents(s: ContractStore, events: number): Promise<void> {
  const { counts, events: grouped } = await sides(s);
  expect(counts).toEqual(grouped);
  expect(grouped.reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0)).toBe(events);
  // No row counts nothing: a count taken down to 0 goes.
  expect(await query(s, 'SELECT environment_id FROM event_counts WHERE count <= 0')).toEqual([]);
}

const step = (environmentId: string, throughSeq: number, limit: number): PruneStep => ({
  environmentId, throughSeq, limit, pruneId: 'p1', prunedAt: '2026-11-30T00:00:00.000Z', command: 'test', archive: null, archiveSha256: null,
});

export function describeCountsContract(fresh: FreshStore): void {
  describe('rule 19: counts equal the events', () => {
    it('counts each event new to the store once: re-read pages, duplicates in a batch and an id another environment brings again count nothing', async () => {
      const s = await fresh();
      const store = await opened(s);
      await store.writePages([page(A, range(A, 1, 20))]);
      await store.writePages([page(A, range(A, 15, 30)), page(A, range(A, 25, 35)), page(B, [counted(B, 1, counted(A, 3).id), ...range(B, 2, 9)])]);
      await store.writePages([page(A, range(A, 1, 35)), page(B, range(B, 1, 12))]);
      // A 1-35; B 1-12 (B's first page brought A's event 3 under B's name: stored once, under A).
      await expectCountsEqualEvents(s, 35 + 12);
      // Every kind of actor and several hours are among them.
      expect(new Set((await query(s, 'SELECT actor_type FROM event_counts')).map((r) => r.actor_type))).toEqual(new Set(['user', 'guest', 'agent', 'api_key', 'unknown']));
    });

    it('counts once when writers of several environments store the same ids at the same time', async () => {
      const s = await fresh();
      const one = await opened(s);
      const two = await opened(s);
      for (let round = 0; round < 4; round += 1) {
        // Both bring the same ids (shared across the environments) and ids of their own; on PostgreSQL one of them may have to start over.
        const shared = (env: string) => Array.from({ length: 30 }, (_v, i) => counted(env, round * 100 + i, `us_evt_shared_${round}_${i}`));
        await Promise.all([
          one.writePages([page(A, [...shared(A), ...range(A, round * 100 + 50, round * 100 + 60)])]),
          two.writePages([page(B, [...shared(B), ...range(B, round * 100 + 50, round * 100 + 60)])]),
        ]);
      }
      await expectCountsEqualEvents(s, 4 * (30 + 11 + 11));
    });

    it('takes off what a prune deletes, in each of its steps, down to nothing', async () => {
      const s = await fresh();
      const store = await opened(s);
      await store.writePages([page(A, range(A, 1, 40)), page(B, range(B, 1, 10))]);
      await store.pruneStep(step(A, 25, 7));
      await expectCountsEqualEvents(s, 40 - 7 + 10);
      while ((await store.pruneStep(step(A, 39, 7))) !== null);
      await expectCountsEqualEvents(s, 1 + 10);
      // status reads its event counts from event_counts: right after a prune too.
      const status = await store.status({ futureDatedAfter: '9999-01-01T00:00:00.000Z' });
      expect(status.environments.map((e) => [e.environmentId, Number(e.events)])).toEqual([[A, 1], [B, 10]]);
      expect(Number(status.totals.events)).toBe(11);
      await store.writePages([page(A, range(A, 41, 45))]);
      await expectCountsEqualEvents(s, 1 + 5 + 10);
    });

    it('verify finds a count edited past the store, naming the environment', async () => {
      const s = await fresh();
      const store = await opened(s);
      await store.writePages([page(A, range(A, 1, 10)), page(B, range(B, 1, 10))]);
      const check = async () => (await reader(s)).snapshot(async (view) => verifyEventCounts(view, await verifyEventChains(view)));
      expect(await check()).toMatchObject({ ok: true, problems: [] });
      const first = `(SELECT min(hour) FROM event_counts WHERE environment_id = '${B}')`;
      await s.tamper(`UPDATE event_counts SET count = count + 1 WHERE environment_id = '${B}' AND hour = ${first}
                      AND actor_type = (SELECT min(actor_type) FROM event_counts WHERE environment_id = '${B}' AND hour = ${first})`);
      const report = await check();
      expect(report.ok).toBe(false);
      expect(report.problems).toEqual([
        { environmentId: B, kind: 'count-mismatch', seq: null, eventId: null, detail: 'event_counts adds up to 11 events, the chain holds 10: a count or an event was changed past the store' },
      ]);
    });
  });
}
