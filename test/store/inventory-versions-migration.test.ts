/**
 * The SQLite migration inventory-versions on a store that already holds inventories: each row gets one version, from its
 * latest change log entry, whose content is what that entry's digest is of, and the trail names actors from it.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { run as logInventory } from '../../src/store/sqlite/migrations/0007-inventory-changes.js';
import { MIGRATIONS } from '../../src/store/sqlite/migrations/index.js';
import { openWritable } from '../../src/store/sqlite/open.js';
import { tempDbPath } from '../helpers/temp.js';

describe('SQLite migration inventory-versions from the version before, with data', () => {
  it('gives every stored row one version, checked by its log entry, and the trail its names', () => {
    const path = tempDbPath();
    const old = openWritable(path, { targetVersion: MIGRATIONS.find((m) => m.name === 'inventory-versions')!.version - 1 });
    const insert = (sql: string, ...values: Array<string | null>) => old.prepare(sql).run(...values);
    insert(`INSERT INTO users (id, email, name, raw, first_synced_at, synced_at) VALUES ('us_usr_1', 'ann@example.com', 'Ann', ?, '2026-10-02T00:00:00.000Z', '2026-10-03T00:00:00.000Z')`,
      JSON.stringify({ id: 'us_usr_1', updatedAt: '2026-10-01T12:00:00Z' }));
    insert(`INSERT INTO users (id, email, name, raw, first_synced_at, synced_at, removed_at) VALUES ('us_usr_2', 'bob@example.com', 'Bob', '{}', '2026-10-02T00:00:00.000Z', '2026-10-03T00:00:00.000Z', '2026-10-03T00:00:00.000Z')`);
    insert(`INSERT INTO guest_spaces (guest_id, space_id, environment_id, first_synced_at, synced_at) VALUES ('us_g_1', 'us_sp_1', 'us_env_1', '2026-10-02T00:00:00.000Z', '2026-10-03T00:00:00.000Z')`);
    insert(`INSERT INTO events (id, environment_id, created_at, topic, domain, actor_id, ingested_at, raw) VALUES ('us_evt_1', 'us_env_1', '2026-09-01T00:00:00.000Z', 'file:created', 'file', 'us_usr_1', '2026-10-02T00:00:00.000Z', '{}')`);
    logInventory(old); // the log as version 7 made it for the rows above
    old.close();

    const db = openWritable(path);
    const versions = db.prepare('SELECT v.seq, v.kind, v.id, v.valid_from, v.name, v.email, v.removed_at, v.content, c.row_digest FROM inventory_versions v JOIN inventory_changes c ON c.seq = v.seq ORDER BY v.seq').all() as Array<Record<string, unknown>>;
    expect(versions.map(({ content: _c, row_digest: _d, seq: _s, ...v }) => v)).toEqual([
      { kind: 'users', id: 'us_usr_1', valid_from: '2026-10-01T12:00:00.000Z', name: 'Ann', email: 'ann@example.com', removed_at: null },
      { kind: 'users', id: 'us_usr_2', valid_from: '2026-10-03T00:00:00.000Z', name: 'Bob', email: 'bob@example.com', removed_at: '2026-10-03T00:00:00.000Z' },
      { kind: 'guest_spaces', id: 'us_g_1 us_sp_1', valid_from: '2026-10-02T00:00:00.000Z', name: null, email: null, removed_at: null },
    ]);
    for (const v of versions) expect(createHash('sha256').update(v.content as string).digest()).toEqual(v.row_digest);
    expect(db.prepare('SELECT actor_name, actor_current_name FROM audit_trail').get()).toEqual({ actor_name: 'Ann', actor_current_name: 'Ann' });
    expect(db.prepare('SELECT guest_id, space_id, granted_at, revoked_at FROM guest_access').all()).toEqual([
      { guest_id: 'us_g_1', space_id: 'us_sp_1', granted_at: '2026-10-02T00:00:00.000Z', revoked_at: null },
    ]);
    db.close();
  });
});
