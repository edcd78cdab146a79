/** Rule 9 of src/store/audit-store.ts (prunes cut chain prefixes), for any store. */
import { describe, expect, it } from 'vitest';
import type { AuditStore, PruneStep } from '../../../src/store/audit-store.js';
import { PrefixBrokenError } from '../../../src/store/chain/prefix-broken-error.js';
import { verifyEventChains } from '../../../src/store/chain/verify-event-chain.js';
import { verifyInventoryLog } from '../../../src/store/chain/verify-inventory-log.js';
import { count, event, events, opened, page, query, reader, space, user, type ContractStore, type FreshStore } from './fixtures.js';

const A = 'us_env_a';
const B = 'us_env_b';
/** event(env, n) is created n seconds after this. */
const createdAt = (n: number) => new Date(Date.parse('2026-10-01T00:00:00.000Z') + n * 1000).toISOString();

const step = (environmentId: string, throughSeq: number, limit = 100, pruneId = 'p1'): PruneStep => ({
  environmentId, throughSeq, limit, pruneId, prunedAt: '2026-11-30T00:00:00.000Z', command: 'test', archive: 'a.ndjson.gz', archiveSha256: 'ab'.repeat(32),
});

async function verified(s: ContractStore) {
  return (await reader(s)).snapshot((view) => verifyEventChains(view));
}

async function pruneAll(store: AuditStore, before: string, limit = 100): Promise<void> {
  for (const plan of await store.planPrune({ [A]: before, [B]: before })) while ((await store.pruneStep(step(plan.environmentId, plan.throughSeq, limit)))!.seq < plan.throughSeq);
}

const seqs = async (s: ContractStore, env: string) => (await query(s, 'SELECT chain_seq FROM events WHERE environment_id = :env ORDER BY chain_seq', { env })).map((r) => count(r.chain_seq));

export function describeRetentionContract(fresh: FreshStore): void {
  describe('rule 13: prunes cut chain prefixes', () => {
    it('plans each chain from its start up to the first event created at or after the date; a late event with an old date waits for what is chained before it', async () => {
      const s = await fresh();
      const store = await opened(s);
      // A: seq 1..5 created at 1..5, then seq 6 arrived late, created at 2.
      await store.writePages([page(A, events(A, 1, 5))]);
      await store.writePages([page(A, [event(A, 6, { createdAt: createdAt(2) })])]);
      await store.writePages([page(B, events(B, 10, 12))]);
      expect(await store.planPrune({ [A]: createdAt(4), [B]: createdAt(4) })).toEqual([{ environmentId: A, fromSeq: 1, throughSeq: 3 }]);
      // Everything in A is older than 7, but the late one is only kept while newer ones come before it.
      expect(await store.planPrune({ [A]: createdAt(11), [B]: createdAt(11) })).toEqual([
        { environmentId: A, fromSeq: 1, throughSeq: 6 },
        { environmentId: B, fromSeq: 1, throughSeq: 1 },
      ]);
      expect(await store.planPrune({ [A]: createdAt(1), [B]: createdAt(1) })).toEqual([]);
      // Each environment by its own date; one without a date is left alone.
      expect(await store.planPrune({ [B]: createdAt(12) })).toEqual([{ environmentId: B, fromSeq: 1, throughSeq: 2 }]);
    });

    it('deletes at most `limit` events per step from the start, moving the cut with them: the chain verifies after every step, and new events link on', async () => {
      const s = await fresh();
      const store = await opened(s);
      await store.writePages([page(A, events(A, 1, 7))]);
      await store.writePages([page(B, events(B, 1, 2))]);
      const [plan] = await store.planPrune({ [A]: createdAt(6), [B]: createdAt(6) });
      expect(plan).toEqual({ environmentId: A, fromSeq: 1, throughSeq: 5 });
      const first = await store.pruneStep(step(A, 5, 2));
      expect(first).toMatchObject({ environmentId: A, pruneId: 'p1', firstSeq: 1, seq: 2, command: 'test', archive: 'a.ndjson.gz', archiveSha256: 'ab'.repeat(32) });
      expect(await seqs(s, A)).toEqual([3, 4, 5, 6, 7]);
      expect(await verified(s)).toMatchObject({ ok: true, rows: 7 });
      expect((await store.pruneStep(step(A, 5, 2)))?.seq).toBe(4);
      expect((await store.pruneStep(step(A, 5, 2)))?.seq).toBe(5);
      expect(await store.pruneStep(step(A, 5, 2))).toBeNull();
      expect(await seqs(s, A)).toEqual([6, 7]);
      const report = await verified(s);
      expect(report).toMatchObject({ ok: true, rows: 4 });
      expect(report.environments.find((e) => e.environmentId === A)?.cut).toMatchObject({ seq: 5, cuts: 1, command: 'test', archive: 'a.ndjson.gz' });
      // The head stays: new events get seq 8, 9 and link on.
      expect((await store.chainHead(A))?.seq).toBe(7);
      await store.writePages([page(A, events(A, 8, 9))]);
      expect(await seqs(s, A)).toEqual([6, 7, 8, 9]);
      expect(await verified(s)).toMatchObject({ ok: true, rows: 6 });
      // A second prune starts where the first ended, as a cut of its own.
      await store.pruneStep(step(A, 7, 100, 'p2'));
      expect((await verified(s)).environments.find((e) => e.environmentId === A)?.cut).toMatchObject({ seq: 7, cuts: 2 });
    });

    it('prunes a whole chain: verify still starts from the cut, and the next event links to the head', async () => {
      const s = await fresh();
      const store = await opened(s);
      await store.writePages([page(A, events(A, 1, 3))]);
      await store.writePages([page(B, events(B, 1, 1))]);
      await store.pruneStep(step(A, 3));
      expect(await seqs(s, A)).toEqual([]);
      expect(await verified(s)).toMatchObject({ ok: true, rows: 1 });
      await store.writePages([page(A, events(A, 4, 4))]);
      expect(await verified(s)).toMatchObject({ ok: true, rows: 2 });
    });

    it('refuses to prune rows that are already missing, deleting nothing: a deletion behind its back is not passed off as a prune', async () => {
      const s = await fresh();
      const store = await opened(s);
      await store.writePages([page(A, events(A, 1, 4))]);
      await s.tamper(`DELETE FROM events WHERE chain_seq = 2`);
      await expect(store.pruneStep(step(A, 3))).rejects.toBeInstanceOf(PrefixBrokenError);
      expect(await seqs(s, A)).toEqual([1, 3, 4]);
      expect(await query(s, 'SELECT id FROM chain_cuts')).toEqual([]);
    });

    it('a cut whose hash was changed, that was removed, or whose predecessor was removed, fails verify', async () => {
      const s = await fresh();
      const store = await opened(s);
      await store.writePages([page(A, events(A, 1, 6))]);
      await store.pruneStep(step(A, 2, 100, 'p1'));
      await store.pruneStep(step(A, 4, 100, 'p2'));
      expect(await verified(s)).toMatchObject({ ok: true });

      const hex = s.settings.postgres ? (h: string) => `'\\x${h}'::bytea` : (h: string) => `X'${h}'`;
      await s.tamper(`UPDATE chain_cuts SET last_hash = ${hex('00'.repeat(32))} WHERE prune_id = 'p2'`);
      expect((await verified(s)).problems).toEqual([expect.objectContaining({ environmentId: A, kind: 'changed', seq: 5 })]);

      await s.tamper(`DELETE FROM chain_cuts WHERE prune_id = 'p2'`);
      expect((await verified(s)).problems).toContainEqual(expect.objectContaining({ environmentId: A, kind: 'missing', seq: 3 }));

      // Cuts must follow one another from seq 1: one removed from the middle of B's history shows.
      await store.writePages([page(B, events(B, 1, 4))]);
      await store.pruneStep(step(B, 1, 100, 'b1'));
      await store.pruneStep(step(B, 3, 100, 'b2'));
      await s.tamper(`DELETE FROM chain_cuts WHERE prune_id = 'b1'`);
      expect((await verified(s)).problems.filter((p) => p.environmentId === B)).toEqual([expect.objectContaining({ kind: 'cut-gap', seq: 1 })]);
    });

    it('never touches the inventories, and checkpoints count pruned events and anchor the cut', async () => {
      const s = await fresh();
      const store = await opened(s);
      await store.writeInventory({ kind: 'users', scope: null, records: [user('us_usr_1', 'Ada')], seenAt: '2026-10-01T00:00:00.000Z' });
      await store.writeInventory({ kind: 'spaces', scope: A, records: [space('us_sp_1', A)], seenAt: '2026-10-01T00:00:00.000Z' });
      await store.writePages([page(A, events(A, 1, 4).map((e) => ({ ...e, actorId: 'us_usr_1', spaceId: 'us_sp_1' })))]);
      await pruneAll(store, createdAt(4));
      expect(count((await query(s, 'SELECT COUNT(*) AS n FROM users'))[0]!.n)).toBe(1);
      expect(count((await query(s, 'SELECT COUNT(*) AS n FROM spaces'))[0]!.n)).toBe(1);
      expect((await (await reader(s)).snapshot((view) => verifyInventoryLog(view))).problems).toEqual([]);
      const state = await store.checkpoint!((st) => st);
      const head = await store.chainHead(A);
      const [cut] = (await (await reader(s)).snapshot((view) => view.chainCuts()));
      expect(state.environments[A]).toEqual({ seq: 4, hash: head!.hash, events: 4, cut: { seq: 3, hash: cut!.hash.toString('hex') } });
    });

    it('hands over the rows to archive with their audit_trail rows, as stored and hashed', async () => {
      const s = await fresh();
      const store = await opened(s);
      await store.writeInventory({ kind: 'users', scope: null, records: [user('us_usr_1', 'Ada')], seenAt: '2026-10-01T00:00:00.000Z' });
      await store.writePages([page(A, events(A, 1, 3).map((e) => ({ ...e, actorId: 'us_usr_1' })))]);
      const seen: Array<{ seq: number | null; raw: string; actor: unknown; createdAt: unknown }> = [];
      await (await reader(s)).snapshot((view) =>
        view.eachArchivable(A, 2, 3, async (rows) => {
          for (const r of rows) seen.push({ seq: r.event.chain_seq, raw: r.event.raw, actor: r.trail.actor_name, createdAt: r.trail.created_at });
        }),
      );
      expect(seen).toEqual([
        { seq: 2, raw: event(A, 2).raw, actor: 'Ada', createdAt: createdAt(2) },
        { seq: 3, raw: event(A, 3).raw, actor: 'Ada', createdAt: createdAt(3) },
      ]);
    });
  });
}
