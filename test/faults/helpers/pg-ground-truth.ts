/**
 * ground-truth.ts for a PostgreSQL store: the same Tally, computed over a connection of its own
 * (as an analyst would read), plus the inventories against the simulator. `integrity` here is the
 * hash chains walked as verify walks them (helpers/postgres.ts): 'ok', or what does not hold.
 */
import pg from 'pg';
import type { Simulator } from '../../../src/simulator/index.js';
import { PostgresStore } from '../../../src/store/postgres/postgres-store.js';
import { walkChains } from '../../helpers/postgres.js';
import type { Tally } from './ground-truth.js';

async function withClient<T>(url: string, read: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await read(client);
  } finally {
    await client.end();
  }
}

async function column(client: pg.Client, sql: string, params: unknown[] = []): Promise<string[]> {
  return (await client.query<{ v: string }>(sql, params)).rows.map((r) => r.v);
}

/** Rows in `events`, or 0 while the schema is not there yet (or the server is away). */
export async function pgStoredCount(url: string): Promise<number> {
  try {
    return await withClient(url, async (c) => Number((await c.query<{ n: string }>('SELECT COUNT(*) AS n FROM events')).rows[0]!.n));
  } catch {
    return 0;
  }
}

const CURSORS_AHEAD = `
  SELECT COUNT(*)::int AS n FROM sync_cursors c
  WHERE (c.high_water IS NOT NULL AND c.high_water > COALESCE((SELECT MAX(created_at) FROM events e WHERE e.environment_id = c.environment_id), '-infinity'))
     OR (c.listing_max_created_at IS NOT NULL AND c.listing_max_created_at > COALESCE((SELECT MAX(created_at) FROM events e WHERE e.environment_id = c.environment_id), '-infinity'))`;

/** The store at `url` (schema public) against the simulator right now. */
export async function pgTally(url: string, sim: Simulator): Promise<Tally> {
  const environmentIds = sim.environments().map((e) => e.id);
  const expectedIds = new Set(environmentIds.flatMap((id) => sim.eventIds(id)));
  const knownActors = new Set<string>([
    ...sim.users().map((u) => u.id),
    ...sim.guests().filter((g) => g.spaces.length > 0).map((g) => g.id),
    ...sim.agents().map((a) => a.id),
  ]);
  const counts = await withClient(url, async (c) => {
    const storedIds = await column(c, 'SELECT id AS v FROM events WHERE environment_id = ANY($1)', [environmentIds]);
    const auditIds = await column(c, 'SELECT event_id AS v FROM audit_trail WHERE environment_id = ANY($1)', [environmentIds]);
    const unnamed = await column(c, 'SELECT actor_id AS v FROM audit_trail WHERE environment_id = ANY($1) AND actor_id IS NOT NULL AND actor_name IS NULL', [environmentIds]);
    const cursorsAhead = (await c.query<{ n: number }>(CURSORS_AHEAD)).rows[0]!.n;
    return { storedIds, auditIds, unnamed, cursorsAhead };
  });
  const distinctStored = new Set(counts.storedIds);
  return {
    expected: expectedIds.size,
    stored: counts.storedIds.length,
    missing: [...expectedIds].filter((id) => !distinctStored.has(id)).length,
    duplicated: counts.storedIds.length - distinctStored.size + (counts.auditIds.length - new Set(counts.auditIds).size),
    extra: [...distinctStored].filter((id) => !expectedIds.has(id)).length,
    auditRows: counts.auditIds.length,
    unresolvedActors: counts.unnamed.filter((id) => knownActors.has(id)).length,
    cursorsAhead: counts.cursorsAhead,
    integrity: await chainIntegrity(url),
  };
}

async function chainIntegrity(url: string): Promise<string> {
  const store = PostgresStore.open({ url, schema: 'public', poolSize: 1, statementTimeoutMs: 60_000 }, { env: {} });
  try {
    const walk = await walkChains(store);
    return walk.problems.length === 0 ? 'ok' : walk.problems.slice(0, 5).join('; ');
  } finally {
    await store.close();
  }
}

export interface Inventories {
  users: string[];
  spaces: string[];
  guests: string[];
  /** guest id + space id, one per membership. */
  guestSpaces: string[];
  agents: string[];
}

/** What the simulator lists now, sorted: what the store must hold as present (removed_at null). */
export function expectedInventories(sim: Simulator): Inventories {
  return {
    users: sim.users().map((u) => u.id).sort(),
    spaces: sim.spaces().map((s) => s.id).sort(),
    guests: sim.guests().map((g) => g.id).sort(),
    guestSpaces: sim.guests().flatMap((g) => g.spaces.map((s) => `${g.id} ${s.id}`)).sort(),
    agents: sim.agents().map((a) => a.id).sort(),
  };
}

/** What the store holds as present, sorted as expectedInventories sorts. */
export async function storedInventories(url: string): Promise<Inventories> {
  const present = async (c: pg.Client, sql: string) => (await column(c, sql)).sort();
  return withClient(url, async (c) => ({
    users: await present(c, 'SELECT id AS v FROM users WHERE removed_at IS NULL'),
    spaces: await present(c, 'SELECT id AS v FROM spaces WHERE removed_at IS NULL'),
    guests: await present(c, 'SELECT id AS v FROM guests WHERE removed_at IS NULL'),
    guestSpaces: await present(c, `SELECT guest_id || ' ' || space_id AS v FROM guest_spaces WHERE removed_at IS NULL`),
    agents: await present(c, 'SELECT id AS v FROM agents WHERE removed_at IS NULL'),
  }));
}
