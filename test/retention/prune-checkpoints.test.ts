/**
 * A prune under checkpoints: `prune` anchors its cut with a checkpoint, `verify --checkpoints` passes
 * and says which anchors lie before the cut, and a cut edited afterwards fails both the chain and
 * the checkpoint the cut was anchored by.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openCheckpointWriter, prepareCheckpoints } from '../../src/checkpoint/open-checkpoints.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { runCli } from '../helpers/cli.js';
import { tempDbPath, tempDir } from '../helpers/temp.js';
import { complete, events, page } from '../store/contract/fixtures.js';

describe('prune and checkpoints', () => {
  it('anchors the cut; verify --checkpoints passes, notes anchors before the cut, and finds a cut edited later', async () => {
    const dbPath = tempDbPath();
    const env = { AUDIT_DB: dbPath, AUDIT_CHECKPOINT_FILE: join(tempDir(), 'checkpoints.ndjson'), LOG_LEVEL: 'silent' };
    const store = SqliteStore.open(dbPath);
    try {
      await store.writePages([page('us_env_a', events('us_env_a', 1, 40), complete('2026-11-01T00:00:00.000Z'))]);
      const writer = openCheckpointWriter(prepareCheckpoints(loadConfig(env))!, store, createLogger({ level: 'silent' }));
      await writer.append('sync'); // anchors seq 40, the head
      await store.writePages([page('us_env_a', events('us_env_a', 41, 50), complete('2026-11-01T00:00:00.000Z'))]);
      await writer.append('sync'); // anchors seq 50
      await writer.close();
    } finally {
      await store.close();
    }
    // Events 1..49 are older than the date; 50 holds the highest rowid and stays: the cut lands at 49, after the anchor at 40.
    const prune = await runCli(['prune', '--before', '2026-10-25', '--no-archive'], env);
    expect(prune.code, prune.stderr).toBe(0);
    const ok = await runCli(['verify', '--checkpoints', env.AUDIT_CHECKPOINT_FILE], env);
    expect(ok.code, ok.stdout).toBe(0);
    expect(ok.stdout).toContain('note: environment us_env_a: 1 anchor(s) of the checkpoints lie before its cut at seq 49');
    expect(ok.stdout).not.toContain('not anchored yet');

    const db = new Database(dbPath);
    db.prepare('UPDATE chain_cuts SET last_hash = ?').run(Buffer.alloc(32));
    db.close();
    const tampered = await runCli(['verify', '--checkpoints', env.AUDIT_CHECKPOINT_FILE], env);
    expect(tampered.code).toBe(1);
    expect(tampered.stdout).toMatch(/us_env_a +changed +50/);
    expect(tampered.stdout).toContain('- environment us_env_a: its cut at seq 49 has another hash than checkpoint 3 anchored: the cut was forged');
  }, 120_000);
});
