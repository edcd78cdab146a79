/**
 * Golden bytes for every hash format a stored file depends on. The expected values were computed
 * once with another implementation (Python's hashlib over the literal bytes below) and are written
 * here literally: a change to how rows are serialised or hashed, in live code or in a migration's
 * frozen copy, fails here instead of making every stored chain look tampered with.
 */
import { describe, expect, it } from 'vitest';
import { chainHash, chainHashV1, chainedValues, linkHash, rowDigest, rowText, type ChainedRow } from '../../src/store/chain/event-chain.js';
import { inventoryChangeHash, inventoryRowDigest, inventoryTableDigest } from '../../src/store/chain/inventory-digests.js';
import { chainHashV1 as frozenChainHashV1 } from '../../src/store/sqlite/migrations/0003-event-chain.js';
import { changeHashV7 as frozenChangeHash, rowDigestV7 as frozenRowDigest } from '../../src/store/sqlite/migrations/0007-inventory-changes.js';
import { openWritable } from '../../src/store/sqlite/open.js';
import { tempDbPath } from '../helpers/temp.js';

const ROW: ChainedRow = {
  id: 'us_evt_golden_1', environment_id: 'us_env_golden', created_at: '2026-10-01T00:00:00.000Z', topic: 'workbook:updated',
  domain: 'workbook', actor_id: 'us_usr_1', space_id: 'us_sp_1', workbook_id: 'us_wb_1', sheet_id: null, job_id: 'us_jb_1',
  acknowledged_at: '2026-10-02T00:00:00.000Z', deleted_at: null, ingested_at: '2026-11-01T00:00:00.000Z', raw: '{"n":1,"name":"Zoë"}',
};

/** The row's text, byte for byte: a JSON array, no spaces, non-ASCII characters as UTF-8. */
const ROW_TEXT =
  '["us_evt_golden_1","us_env_golden","2026-10-01T00:00:00.000Z","workbook:updated","workbook","us_usr_1","us_sp_1","us_wb_1",null,"us_jb_1","2026-10-02T00:00:00.000Z",null,"2026-11-01T00:00:00.000Z","{\\"n\\":1,\\"name\\":\\"Zoë\\"}"]';

/** 00 01 02 … 1f: a previous hash. */
const PREVIOUS = Buffer.from('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', 'hex');

const GOLDEN = {
  rowDigest: 'bb250b2e50ff4a6e6aa065278b508169a975881f44c492f4347f3a1407c1a0ae',
  // With no previous hash the first form hashes the row text alone: the same bytes as rowDigest.
  v1First: 'bb250b2e50ff4a6e6aa065278b508169a975881f44c492f4347f3a1407c1a0ae',
  v1AfterPrevious: 'e2fad2116d80ab10d63536f688d260a37011599d2ba758f20d8ce1b5f6c5b963',
  v2First: 'e6bc95eb95cf831bbd2320d6cb5bb8abe70842e0943a52ba0a9d10100e26b6e2',
  v2AfterPrevious: '9aa7044eecb4fa30f3020b04f61b8e31a2a68f2f186bba0cbc8ae7828223744b',
};

describe('the event chain hash formats', () => {
  it('serialise a row to fixed bytes', () => {
    expect(Buffer.from(rowText(chainedValues(ROW)), 'utf8').toString('hex')).toBe(Buffer.from(ROW_TEXT, 'utf8').toString('hex'));
  });

  it('first form (schema versions 3-4): SHA-256(previous ‖ row text), live and frozen in migration 0003 alike', () => {
    for (const hashV1 of [chainHashV1, frozenChainHashV1]) {
      expect(hashV1(null, ROW).toString('hex')).toBe(GOLDEN.v1First);
      expect(hashV1(PREVIOUS, ROW).toString('hex')).toBe(GOLDEN.v1AfterPrevious);
    }
  });

  it('second form (schema version 5 on): SHA-256(previous ‖ SHA-256(row text))', () => {
    expect(rowDigest(chainedValues(ROW)).toString('hex')).toBe(GOLDEN.rowDigest);
    expect(chainHash(null, ROW).toString('hex')).toBe(GOLDEN.v2First);
    expect(chainHash(PREVIOUS, ROW).toString('hex')).toBe(GOLDEN.v2AfterPrevious);
    expect(linkHash(PREVIOUS, Buffer.from(GOLDEN.rowDigest, 'hex')).toString('hex')).toBe(GOLDEN.v2AfterPrevious);
  });

  it('migration 0003 chains a row stored before it to the golden first-form hash', () => {
    const db = openWritable(tempDbPath(), { targetVersion: 2 });
    db.prepare(
      `INSERT INTO events (id, environment_id, created_at, topic, domain, actor_id, space_id, workbook_id, sheet_id, job_id, acknowledged_at, deleted_at, ingested_at, raw)
       VALUES (@id, @environment_id, @created_at, @topic, @domain, @actor_id, @space_id, @workbook_id, @sheet_id, @job_id, @acknowledged_at, @deleted_at, @ingested_at, @raw)`,
    ).run(ROW);
    db.close();
    const migrated = openWritable(db.name, { targetVersion: 3 });
    expect(migrated.prepare('SELECT chain_seq, hex(chain_hash) AS hash FROM events').get()).toEqual({ chain_seq: 1, hash: GOLDEN.v1First.toUpperCase() });
    migrated.close();
  });
});

describe('the inventory change log formats', () => {
  // [id, ...content columns] as SQLite returns them: text, integers and nulls.
  const ENVIRONMENT = ['us_env_golden', 'us_acc_1', 'Production', 1, '{"id":"us_env_golden"}', '2026-10-01T00:00:00.000Z', null];
  const USER = ['us_usr_golden', 'zoë@example.com', 'Zoë', '2026-01-01T00:00:00.000Z', null, '{"id":"us_usr_golden"}', '2026-10-01T00:00:00.000Z', '2026-10-05T00:00:00.000Z'];
  const INVENTORY_GOLDEN = {
    // SHA-256 of ["environments","us_env_golden","us_acc_1","Production",1,"{\"id\":\"us_env_golden\"}","2026-10-01T00:00:00.000Z",null]
    environmentDigest: 'bc56dbb5bbf667a7b2363f902ad893eb18a91dd52d73670037a25cf399a79547',
    userDigest: '41ca557c4003352cff489a339bf14fb740c50d3ea676bb4a0ccc700d720e4479',
    firstChange: '9f05fd1e6a3f2451540178d05959c0bf10334ff47430aa40c3fb3207a53e12d6',
    secondChange: '8c8df16e331504b048bcaa00e59182b07892a64ef0e67f1d3e2757b7b6d23b0c',
    table: '169da62278790bc37ca89465b7b8bc183c6806c0a2037ffbca90349d6993ed33',
  };

  it('row digests and change hashes, live and frozen in migration 0007 alike', () => {
    for (const [rowDigestOf, changeHash] of [[inventoryRowDigest, inventoryChangeHash], [frozenRowDigest, frozenChangeHash]] as const) {
      const environment = rowDigestOf('environments', ENVIRONMENT);
      const user = rowDigestOf('users', USER);
      expect([environment.toString('hex'), user.toString('hex')]).toEqual([INVENTORY_GOLDEN.environmentDigest, INVENTORY_GOLDEN.userDigest]);
      const first = changeHash(null, 'environments', 'us_env_golden', environment, '2026-10-01T00:00:00.000Z');
      expect(first.toString('hex')).toBe(INVENTORY_GOLDEN.firstChange);
      expect(changeHash(first, 'users', 'us_usr_golden', user, '2026-10-05T00:00:00.000Z').toString('hex')).toBe(INVENTORY_GOLDEN.secondChange);
    }
  });

  it("a token's digest (store rule 17): its raw without lastUsedAt, and no last_used_at column", () => {
    // SHA-256 of ["personal_access_tokens","us_pat_golden","audit","2026-01-01T00:00:00.000Z","{\"id\":\"us_pat_golden\",\"name\":\"audit\"}","2026-11-01T00:00:00.000Z",null]
    const golden = '36914150dbdb2a385c860207412014f8f10efe45b6560c06cbc44247931be772';
    const token = (raw: string) => ['us_pat_golden', 'audit', '2026-01-01T00:00:00.000Z', raw, '2026-11-01T00:00:00.000Z', null];
    for (const raw of ['{"id":"us_pat_golden","name":"audit"}', '{"id":"us_pat_golden","name":"audit","lastUsedAt":"2026-11-30T00:00:00Z"}', '{"id":"us_pat_golden","lastUsedAt":"2026-12-01T00:00:00Z","name":"audit"}']) {
      expect(inventoryRowDigest('personal_access_tokens', token(raw)).toString('hex')).toBe(golden);
    }
  });

  it('activity (store rule 17): activity columns digest as null in place, activity paths leave raw', () => {
    // A user seen: the golden user above, whose last_active_at is null and whose raw has no lastSeenAt.
    const seen = [...USER];
    seen[4] = '2026-11-30T10:00:00.000Z';
    seen[5] = '{"id":"us_usr_golden","lastSeenAt":"2026-11-30T10:00:00.000Z"}';
    expect(inventoryRowDigest('users', seen).toString('hex')).toBe(INVENTORY_GOLDEN.userDigest);
    // SHA-256 of ["guests","us_g_golden","us_env_golden","ann@guest.example","Ann","{\"id\":\"us_g_golden\",\"spaces\":[{\"id\":\"us_sp_1\"},{\"id\":\"us_sp_2\",\"workbooks\":[]}]}","2026-10-01T00:00:00.000Z",null]
    const guest = (raw: string) => ['us_g_golden', 'us_env_golden', 'ann@guest.example', 'Ann', raw, '2026-10-01T00:00:00.000Z', null];
    for (const raw of ['{"id":"us_g_golden","spaces":[{"id":"us_sp_1"},{"id":"us_sp_2","workbooks":[]}]}', '{"id":"us_g_golden","spaces":[{"id":"us_sp_1","lastAccessed":"2026-11-30T10:00:00Z"},{"id":"us_sp_2","workbooks":[],"lastAccessed":"2026-11-29T10:00:00Z"}]}']) {
      expect(inventoryRowDigest('guests', guest(raw)).toString('hex')).toBe('7e1615b18e0b79275e7f34094a91dcea1884d93dec587696c4b469fa5b97ee9d');
    }
    // SHA-256 of ["guest_spaces","us_g_golden us_sp_1","us_env_golden",null,"2026-10-01T00:00:00.000Z",null]
    expect(inventoryRowDigest('guest_spaces', ['us_g_golden us_sp_1', 'us_env_golden', '2026-11-30T10:00:00.000Z', '2026-10-01T00:00:00.000Z', null]).toString('hex')).toBe('d24064d2ad895c4bd9c8cb243bfa2d0278c7b93ba60e080cd3271cf738bce30e');
    // SHA-256 of ["spaces","us_sp_1","us_env_golden","S","2026-01-01T00:00:00.000Z",null,null,"{\"id\":\"us_sp_1\",\"name\":\"S\"}","2026-10-01T00:00:00.000Z",null]
    const space = ['us_sp_1', 'us_env_golden', 'S', '2026-01-01T00:00:00.000Z', null, null, '{"id":"us_sp_1","lastActivityAt":"2026-11-30T10:00:00Z","name":"S"}', '2026-10-01T00:00:00.000Z', null];
    expect(inventoryRowDigest('spaces', space).toString('hex')).toBe('6f642c8743c4546a63bd3b32849618a9390e6d69753d8dbdba29a78ff7436556');
  });

  it('a table digest: SHA-256 of the row digests in id order, whatever order they come in', () => {
    const rows = [['us_usr_zz', Buffer.from(INVENTORY_GOLDEN.userDigest, 'hex')], ['us_env_golden', Buffer.from(INVENTORY_GOLDEN.environmentDigest, 'hex')]] as const;
    expect(inventoryTableDigest(rows).toString('hex')).toBe(INVENTORY_GOLDEN.table);
  });

  it('migration 0007 logs the rows stored before it to the golden chain', () => {
    const db = openWritable(tempDbPath(), { targetVersion: 6 });
    db.prepare(`INSERT INTO environments (id, account_id, name, is_prod, raw, first_synced_at, synced_at, removed_at) VALUES (?, ?, ?, ?, ?, ?, '2026-10-01T00:00:00.000Z', ?)`).run(...ENVIRONMENT);
    db.prepare(`INSERT INTO users (id, email, name, created_at, last_active_at, raw, first_synced_at, removed_at, synced_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, '2026-10-05T00:00:00.000Z')`).run(...USER);
    db.close();
    const migrated = openWritable(db.name, { targetVersion: 7 });
    expect(migrated.prepare('SELECT seq, kind, id, hex(chain_hash) AS hash FROM inventory_changes ORDER BY seq').all()).toEqual([
      { seq: 1, kind: 'environments', id: 'us_env_golden', hash: INVENTORY_GOLDEN.firstChange.toUpperCase() },
      { seq: 2, kind: 'users', id: 'us_usr_golden', hash: INVENTORY_GOLDEN.secondChange.toUpperCase() },
    ]);
    migrated.close();
  });
});
