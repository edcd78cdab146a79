/** Store rules 9 and 10 (src/store/audit-store.ts): the trail in ingestion order, and forwarders' positions, for any store. */
import { describe, expect, it } from 'vitest';
import { AuditError } from '../../../src/errors.js';
import type { AuditReader, TrailFilter } from '../../../src/store/audit-reader.js';
import { waitFor } from '../../helpers/wait.js';
import { AT, complete, event, events, opened, page, reader, type ContractStore, type FreshStore } from './fixtures.js';

const A = 'us_env_a';
const B = 'us_env_b';

/**
 * Every row of the trail after `after`, once every event stored is readable: on PostgreSQL a row is
 * held back while a write of the store that had begun before it is still open
 * (src/store/postgres/trail-query.ts).
 */
async function trail(s: ContractStore, after: string, filter: TrailFilter = {}): Promise<Array<{ position: string; id: string; created: string }>> {
  const read = await reader(s);
  const stored = (await read.trailBacklog(after)).events;
  return waitFor('the trail to hold every stored event', async () => {
    const rows = await readTrail(read, after);
    return rows.length === stored ? readTrail(read, after, filter) : undefined;
  });
}

/** One read of the trail, whatever is readable now. */
async function trailNow(s: ContractStore, after: string): Promise<Array<{ position: string; id: string; created: string }>> {
  return readTrail(await reader(s), after);
}

async function readTrail(read: AuditReader, after: string, filter: TrailFilter = {}): Promise<Array<{ position: string; id: string; created: string }>> {
  const cursor = await read.openTrail(after, filter);
  const all: Array<{ position: string; id: string; created: string }> = [];
  try {
    for (let chunk = await cursor.read(7); chunk.length > 0; chunk = await cursor.read(7)) {
      all.push(...chunk.map((r) => ({ position: String(r.position), id: String(r.event_id), created: String(r.created_at) })));
    }
  } finally {
    await cursor.close();
  }
  return all;
}

const lastOf = (rows: Array<{ position: string }>, before: string) => rows.at(-1)?.position ?? before;

/** An event inserted past the store, chained far from the store's own (the chain is not what this checks). */
function heldInsert(s: ContractStore, id: string, environmentId: string): string {
  const values = `'${id}', '${environmentId}', '${AT}', 'file:deleted', 'file', '${AT}', '{}', 1000`;
  return s.settings.postgres
    ? `INSERT INTO events (id, environment_id, created_at, topic, domain, ingested_at, raw, chain_seq, chain_hash, raw_text) VALUES (${values}, '\\x00'::bytea, '{}')`
    : `INSERT INTO events (id, environment_id, created_at, topic, domain, ingested_at, raw, chain_seq, chain_hash) VALUES (${values}, X'00')`;
}

export function describeTrailContract(fresh: FreshStore): void {
  it('every event once, in the order stored, each with the audit_trail row; after a position, exactly what came since (an old createdAt too)', async () => {
    const s = await fresh();
    const store = await opened(s);
    await store.writePages([page(A, events(A, 5, 8)), page(B, events(B, 1, 3))]);
    await store.writePages([page(A, events(A, 1, 4), complete(null))]); // older createdAt, stored later
    const first = await trail(s, '0');
    expect(first.map((r) => r.id)).toEqual([...events(A, 5, 8), ...events(B, 1, 3), ...events(A, 1, 4)].map((e) => e.id));
    expect(first[0]!.created).toBe(event(A, 5).createdAt);
    const after = lastOf(first, '0');
    expect(await trail(s, after)).toEqual([]);

    // Late events (older than what was read) and re-read ones: only the new ones come, after the position.
    await store.writePages([page(B, [event(B, 0, { createdAt: '2020-01-01T00:00:00.000Z' }), ...events(B, 1, 4)])]);
    const second = await trail(s, after);
    expect(second.map((r) => r.id)).toEqual([event(B, 0).id, event(B, 4).id]);
    // Read in pieces from every position handed out, the trail is the same.
    const pieces: string[] = [];
    for (let at = '0'; ; ) {
      const rows = (await trail(s, at)).slice(0, 3);
      if (rows.length === 0) break;
      pieces.push(...rows.map((r) => r.id));
      at = lastOf(rows, at);
    }
    expect(pieces).toEqual([...first, ...second].map((r) => r.id));
    // Filters narrow a read; the positions stay the store's.
    expect((await trail(s, '0', { environment: B, since: '2026-01-01T00:00:00.000Z' })).map((r) => r.id)).toEqual([...events(B, 1, 4)].map((e) => e.id));
    expect((await trail(s, '0', { until: '2021-01-01T00:00:00.000Z' })).map((r) => r.id)).toEqual([event(B, 0).id]);
    // The backlog after a position: how many, and since when.
    const read = await reader(s);
    expect(await read.trailBacklog(after)).toEqual({ events: 2, oldestIngestedAt: expect.any(String) });
    expect(await read.trailBacklog(lastOf(second, after))).toEqual({ events: 0, oldestIngestedAt: null });
    expect((await read.trailBacklog('0')).events).toBe(13);
  });

  it('a position this store never printed is refused with a one-line error, nothing read', async () => {
    const s = await fresh();
    await (await opened(s)).writePages([page(A, events(A, 1, 2))]);
    const read = await reader(s);
    for (const bad of ['x', '-1', '1.2.3', s.settings.postgres ? '12' : '12.3']) {
      await expect(read.openTrail(bad)).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
      await expect(read.trailBacklog(bad)).rejects.toBeInstanceOf(AuditError);
    }
  });

  it('two writers, the one holding the lower position committing later: a reader between the commits never skips a row', async () => {
    const s = await fresh();
    const store = await opened(s);
    await store.writePages([page(A, events(A, 1, 2))]);
    const before = await trail(s, '0');
    let at = lastOf(before, '0');
    // The first writer stores an event and stays open; the second stores its own and commits first.
    const commitFirst = await s.hold(heldInsert(s, 'us_evt_held', A));
    const second = store.writePages([page(B, events(B, 1, 3))]);
    if (s.concurrentWriters) await second; // SQLite: the second waits for the first's lock
    const between = await trailNow(s, at);
    at = lastOf(between, at);
    await commitFirst();
    await second;
    const after = await trail(s, at);
    const seen = [...before, ...between, ...after].map((r) => r.id);
    expect([...seen].sort()).toEqual([...events(A, 1, 2).map((e) => e.id), 'us_evt_held', ...events(B, 1, 3).map((e) => e.id)].sort());
    expect(new Set(seen).size).toBe(seen.length);
    expect(await trail(s, lastOf(after, at))).toEqual([]);
  });

  it("forwarders' positions: from '0', moved on only from where they stand, errors noted and cleared", async () => {
    const s = await fresh();
    const store = await opened(s);
    const start = await store.readForward('ndjson https://siem.example/in');
    expect(start).toMatchObject({ destination: 'ndjson https://siem.example/in', position: '0', forwarded: 0, lastError: null, lastErrorAt: null });
    await store.recordForwardError('ndjson https://siem.example/in', 'HTTP 503', '2026-11-01T00:05:00.000Z');
    expect(await store.advanceForward('ndjson https://siem.example/in', '0', '7', 7, '2026-11-01T00:10:00.000Z')).toBe(true);
    // A second forwarder that read '0' too cannot move it back or on from there.
    expect(await store.advanceForward('ndjson https://siem.example/in', '0', '3', 3, '2026-11-01T00:11:00.000Z')).toBe(false);
    await store.recordForwardError('splunk-hec https://hec.example', 'timeout', '2026-11-01T00:12:00.000Z');
    const states = await (await reader(s)).forwardStates();
    expect(states).toEqual([
      { destination: 'ndjson https://siem.example/in', position: '7', forwarded: 7, updatedAt: '2026-11-01T00:10:00.000Z', lastError: null, lastErrorAt: null },
      { destination: 'splunk-hec https://hec.example', position: '0', forwarded: 0, updatedAt: '2026-11-01T00:12:00.000Z', lastError: 'timeout', lastErrorAt: '2026-11-01T00:12:00.000Z' },
    ]);
  });
}
