/**
 * Tamper evidence anchored outside the database: real syncs (the built CLI against the simulator)
 * append signed checkpoints to a file in another directory; an intruder edits the database with the
 * sqlite3 tool; `flatfile-audit verify --checkpoints` (the built CLI, a child process) must find each
 * change and name it, where the chain walk alone (plain verify) passes.
 */
import { chmodSync, copyFileSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { simulator, TEST_PAT } from '../helpers/simulator.js';
import { readDb } from '../helpers/sync.js';
import { tamper } from '../helpers/tamper.js';
import { tempDir } from '../helpers/temp.js';
import { actorTypeCase } from '../../src/store/actor-type.js';

interface Synced {
  sim: Awaited<ReturnType<typeof simulator>>['sim'];
  env: Record<string, string>;
  dir: string;
  dbPath: string;
  checkpoints: string;
  publicKey: string;
  environments: string[];
  syncLogs: string;
}

/** Two real syncs (the second after new events), checkpointed and signed, the database and the checkpoints in different directories. */
async function synced(): Promise<Synced> {
  const { url, sim } = await simulator({ account: { environments: 2, users: 4, eventsPerEnvironment: 30 } });
  const dir = tempDir();
  const keys = join(dir, 'keys');
  expect((await runCli(['keygen', '--out', keys], {})).code).toBe(0);
  const dbPath = join(dir, 'db', 'audit.db');
  const checkpoints = join(dir, 'anchor', 'checkpoints.ndjson');
  const env = { FLATFILE_API_URL: url, FLATFILE_TOKEN: TEST_PAT, AUDIT_DB: dbPath, AUDIT_CHECKPOINT_FILE: checkpoints, AUDIT_SIGNING_KEY_FILE: join(keys, 'signing-key.pem') };
  const first = await runCli(['sync', '--once'], env);
  expect(first.code, first.stderr).toBe(0);
  const environments = sim.environments().map((e) => e.id);
  sim.addEvents(environments[0]!, 5);
  const second = await runCli(['sync', '--once'], env);
  expect(second.code, second.stderr).toBe(0);
  return { sim, env, dir, dbPath, checkpoints, publicKey: join(keys, 'signing-key.pub.pem'), environments, syncLogs: first.stderr + second.stderr };
}

const verify = (s: Synced, extra: string[] = ['--checkpoints', s.checkpoints, '--public-key', s.publicKey]) => runCli(['verify', ...extra], { AUDIT_DB: s.dbPath });

/** What verify says about one tampering: plain verify (the chain walk) passes, verify --checkpoints fails naming it. */
/**
 * The intruder also makes the event counts (store rule 19) agree with what is left, so that only the
 * checkpoint can tell: a plain verify compares the counts with the chain.
 */
function recountEvents(environmentId: string): string {
  return `DELETE FROM event_counts WHERE environment_id = '${environmentId}';
    INSERT INTO event_counts (environment_id, hour, actor_type, count)
    SELECT environment_id, substr(created_at, 1, 13) || ':00:00.000Z', ${actorTypeCase('actor_id')}, count(*)
    FROM events WHERE environment_id = '${environmentId}' GROUP BY 1, 2, 3;`;
}

async function expectFound(s: Synced, finding: RegExp, { plainPasses = true } = {}): Promise<string> {
  const plain = await verify(s, []);
  expect(plain.code, plain.stdout).toBe(plainPasses ? 0 : 1);
  const checked = await verify(s);
  expect(checked.code, checked.stdout + checked.stderr).toBe(1);
  expect(checked.stdout).toMatch(finding);
  expect(checked.stdout).toMatch(/TAMPERED: \d+ finding\(s\) against the checkpoints/);
  return checked.stdout;
}

const lastSeq = (s: Synced, environmentId: string) => readDb(s.dbPath, (db) => db.prepare('SELECT last_seq FROM event_chains WHERE environment_id = ?').pluck().get(environmentId) as number);

describe('checkpoints anchored outside the database', () => {
  it('an untouched database matches its checkpoints; each checkpoint is in the file (0600), chained, signed and logged at warn', async () => {
    const s = await synced();
    const result = await verify(s);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const lines = readFileSync(s.checkpoints, 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line));
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines.map((c) => c.seq)).toEqual(lines.map((_c, i) => i + 1));
    expect(result.stdout).toContain(`signatures: ${lines.length} of ${lines.length} verified with key ${lines[0].keyId}`);
    expect(result.stdout).toMatch(new RegExp(`ok: the database matches its ${lines.length} checkpoint\\(s\\)`));
    expect(statSync(s.checkpoints).mode & 0o777).toBe(0o600);
    // The last checkpoint anchors what the database holds now.
    const last = lines.at(-1);
    expect(last.environments[s.environments[0]!]).toEqual({ seq: 35, events: 35, hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(last.environments[s.environments[1]!]).toMatchObject({ seq: 30, events: 30 });
    const logged = s.syncLogs.split('\n').filter((l) => l.includes('"audit checkpoint"')).map((l) => JSON.parse(l));
    expect(logged.map((l) => l.level)).toEqual(lines.map(() => 'warn'));
    expect(logged.map((l) => l.checkpoint.signature)).toEqual(lines.map((c) => c.signature));
    // The private key itself goes nowhere: not into the logs, the checkpoints or the database.
    const secret = readFileSync(s.env.AUDIT_SIGNING_KEY_FILE!, 'utf8').split('\n')[1]!;
    expect(secret.length).toBeGreaterThan(40);
    for (const place of [s.syncLogs, readFileSync(s.checkpoints, 'utf8'), readFileSync(s.dbPath).toString('latin1')]) expect(place).not.toContain(secret);
  });

  it('a database checked against an older copy of the checkpoints: changes since are explained by the syncs that made them', async () => {
    const { url, sim } = await simulator({ account: { environments: 1, users: 4, eventsPerEnvironment: 10 } });
    const dir = tempDir();
    const env = { FLATFILE_API_URL: url, FLATFILE_TOKEN: TEST_PAT, AUDIT_DB: join(dir, 'db', 'a.db'), AUDIT_CHECKPOINT_FILE: join(dir, 'anchor', 'c.ndjson') };
    expect((await runCli(['sync', '--once'], env)).code).toBe(0);
    const copy = join(dir, 'copy.ndjson');
    copyFileSync(env.AUDIT_CHECKPOINT_FILE, copy);
    sim.removeUser(sim.users()[0]!.id);
    sim.addEvents(sim.environments()[0]!.id, 3);
    expect((await runCli(['sync', '--once'], env)).code).toBe(0);
    const result = await runCli(['verify', '--checkpoints', copy], { AUDIT_DB: env.AUDIT_DB });
    expect(result.code, result.stdout).toBe(0);
    // Only users: the sync's own token was used again (its lastUsedAt moved on), which is no change (store rule 17).
    expect(result.stdout).toMatch(/note: users changed since the last checkpoint, each change written by a later sync/);
    expect(result.stdout).toMatch(/note: 3 event\(s\) were stored after the last checkpoint/);
    expect(result.stdout).toContain('signatures: not signed');
  });

  it('finds the newest events deleted and the chain head rewritten to match', async () => {
    const s = await synced();
    const target = s.environments[0]!;
    const keep = lastSeq(s, target) - 3;
    tamper(
      s.dbPath,
      `DELETE FROM events WHERE environment_id = '${target}' AND chain_seq > ${keep};
       UPDATE event_chains SET last_seq = ${keep}, last_hash = (SELECT chain_hash FROM events WHERE environment_id = '${target}' AND chain_seq = ${keep}) WHERE environment_id = '${target}';
       ${recountEvents(target)}`,
    );
    const out = await expectFound(s, new RegExp(`environment ${target}: event seq \\d+, anchored by checkpoint \\d+, is gone: the chain now ends at seq ${keep} and its stored head was rewritten to seq ${keep}`));
    expect(out).toMatch(new RegExp(`environment ${target}: ${keep} events now, checkpoint \\d+ recorded ${keep + 3}: events were deleted`));
  });

  it('finds an environment deleted together with its chain head', async () => {
    const s = await synced();
    const target = s.environments[1]!;
    tamper(s.dbPath, `DELETE FROM events WHERE environment_id = '${target}'; DELETE FROM event_chains WHERE environment_id = '${target}'; ${recountEvents(target)}`);
    await expectFound(s, new RegExp(`environment ${target}: vanished: checkpoint \\d+ anchored its chain at seq 30 with 30 events; the database has no event and no chain head for it`));
  });

  it('finds an edited user email, naming the table and the user', async () => {
    const s = await synced();
    const user = s.sim.users()[2]!;
    tamper(s.dbPath, `UPDATE users SET email = 'mallory@example.com' WHERE id = '${user.id}'`);
    // Plain verify finds it too now (the inventories against their change log); the checkpoints name it all the same.
    await expectFound(s, new RegExp(`users ${user.id}: users row ${user.id} differs from what the last sync that changed it wrote .*edited behind its back`), { plainPasses: false });
  });

  it('finds a trigger that silently drops new events, though the chain stays intact', async () => {
    const s = await synced();
    tamper(s.dbPath, 'CREATE TRIGGER keep_quiet BEFORE INSERT ON events BEGIN SELECT RAISE(IGNORE); END;');
    s.sim.addEvents(s.environments[0]!, 4);
    const before = lastSeq(s, s.environments[0]!);
    expect((await runCli(['sync', '--once'], s.env)).code).toBe(0);
    expect(lastSeq(s, s.environments[0]!)).toBe(before); // dropped, and nothing in the chain shows it
    const out = await expectFound(s, /trigger keep_quiet on events: not created by flatfile-audit's migrations: CREATE TRIGGER keep_quiet BEFORE INSERT ON events BEGIN SELECT RAISE\(IGNORE\); END/);
    // The checkpoint taken while it was there recorded it too: removing the trigger afterwards does not hide it.
    expect(out).toMatch(/records a schema that is not the one flatfile-audit's migrations create at version \d+/);
    tamper(s.dbPath, 'DROP TRIGGER keep_quiet');
    await expectFound(s, /records a schema that is not the one flatfile-audit's migrations create/);
  });

  it('finds an edited line of the checkpoint file: by its signature, and without the key by the next line\'s prevHash', async () => {
    const s = await synced();
    const lines = readFileSync(s.checkpoints, 'utf8').split('\n');
    const edited = lines[0]!.replace(/"events":30/, '"events":31');
    expect(edited).not.toBe(lines[0]);
    writeFileSync(s.checkpoints, [edited, ...lines.slice(1)].join('\n'));
    const signed = await verify(s);
    expect(signed.code).toBe(1);
    expect(signed.stdout).toMatch(/line 1 \(checkpoint 1\): signature does not verify with public key [0-9a-f]{16}: the line was changed after it was signed/);
    expect(signed.stdout).toMatch(/line 2 \(checkpoint 2\): prevHash does not match the checkpoint on line 1: that line was changed/);
    const unsigned = await verify(s, ['--checkpoints', s.checkpoints]);
    expect(unsigned.code).toBe(1);
    expect(unsigned.stdout).toMatch(/line 2 \(checkpoint 2\): prevHash does not match the checkpoint on line 1/);
  });

  it('finds checkpoints signed by another key than the one given', async () => {
    const s = await synced();
    const other = join(s.dir, 'other-keys');
    expect((await runCli(['keygen', '--out', other], {})).code).toBe(0);
    const result = await verify(s, ['--checkpoints', s.checkpoints, '--public-key', join(other, 'signing-key.pub.pem')]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/line 1 \(checkpoint 1\): was signed by key ([0-9a-f]{16}), not by the given public key (?!\1)[0-9a-f]{16}/);
    expect(result.stdout).toMatch(/signatures: 0 of \d+ verified with key/);
    // Across a key rotation, each line is checked with the key it names among those given.
    const both = await verify(s, ['--checkpoints', s.checkpoints, '--public-key', join(other, 'signing-key.pub.pem'), '--public-key', s.publicKey]);
    expect(both.code, both.stdout).toBe(0);
  });

  it('refuses a checkpoint file inside the database directory, through .. or a symlink, before anything is fetched', async () => {
    const { url, sim } = await simulator({ account: { environments: 1, eventsPerEnvironment: 5 } });
    const dir = tempDir();
    mkdirSync(join(dir, 'db', 'sub'), { recursive: true });
    mkdirSync(join(dir, 'elsewhere'));
    symlinkSync(join(dir, 'db'), join(dir, 'elsewhere', 'link'));
    for (const file of [join(dir, 'db', 'c.ndjson'), join(dir, 'db', 'sub', '..', 'c.ndjson'), join(dir, 'elsewhere', 'link', 'c.ndjson'), join(dir, 'db', 'sub', 'deeper', 'c.ndjson')]) {
      const result = await runCli(['sync', '--once'], { FLATFILE_API_URL: url, FLATFILE_TOKEN: TEST_PAT, AUDIT_DB: join(dir, 'db', 'a.db'), AUDIT_CHECKPOINT_FILE: file });
      expect(result.code, file).toBe(2);
      expect(result.stderr).toBe(`flatfile-audit: AUDIT_CHECKPOINT_FILE ${file} is inside the database's directory ${join(dir, 'db')}; put it where whoever can rewrite the database cannot (another volume or machine)\n`);
    }
    expect(sim.stats().requests).toBe(0);
  });

  it('refuses bad checkpoint settings with one line naming the setting, before anything is fetched', async () => {
    const { url, sim } = await simulator({ account: { environments: 1, eventsPerEnvironment: 5 } });
    const dir = tempDir();
    const keys = join(dir, 'keys');
    expect((await runCli(['keygen', '--out', keys], {})).code).toBe(0);
    const open = join(dir, 'open.pem');
    copyFileSync(join(keys, 'signing-key.pem'), open);
    chmodSync(open, 0o644);
    const base = { FLATFILE_API_URL: url, FLATFILE_TOKEN: TEST_PAT, AUDIT_DB: join(dir, 'db', 'a.db') };
    const file = join(dir, 'anchor', 'c.ndjson');
    const cases: Array<[Record<string, string>, string]> = [
      [{ AUDIT_SIGNING_KEY_FILE: join(keys, 'signing-key.pem') }, 'AUDIT_SIGNING_KEY_FILE needs AUDIT_CHECKPOINT_FILE: checkpoints are chained through that file'],
      [{ AUDIT_CHECKPOINT_URL: 'http://127.0.0.1:9/x' }, 'AUDIT_CHECKPOINT_URL needs AUDIT_CHECKPOINT_FILE: checkpoints are chained through that file'],
      [{ AUDIT_CHECKPOINT_FILE: file, AUDIT_CHECKPOINT_URL: 'ftp://example.com/x' }, 'AUDIT_CHECKPOINT_URL must be an http(s) URL, got "ftp://example.com/x"'],
      [{ AUDIT_CHECKPOINT_FILE: file, AUDIT_SIGNING_KEY_FILE: open }, `AUDIT_SIGNING_KEY_FILE ${open} is readable by group or others (mode 644); run chmod 600 on it`],
      [{ AUDIT_CHECKPOINT_FILE: file, AUDIT_SIGNING_KEY_FILE: join(keys, 'missing.pem') }, `AUDIT_SIGNING_KEY_FILE ${join(keys, 'missing.pem')} cannot be read (ENOENT)`],
    ];
    for (const [env, message] of cases) {
      const result = await runCli(['sync', '--once'], { ...base, ...env });
      expect(result.code, message).toBe(2);
      expect(result.stderr).toBe(`flatfile-audit: ${message}\n`);
    }
    expect(sim.stats().requests).toBe(0);
    const verifyWithPrivate = await runCli(['verify', '--checkpoints', file, '--public-key', join(keys, 'signing-key.pem')], { AUDIT_DB: base.AUDIT_DB });
    expect(verifyWithPrivate.code).toBe(2);
  });

  it('keygen writes a private key only its owner can read, and never overwrites one', async () => {
    const dir = join(tempDir(), 'keys');
    const result = await runCli(['keygen', '--out', dir], {});
    expect(result.code).toBe(0);
    expect(readFileSync(join(dir, 'signing-key.pem'), 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(readFileSync(join(dir, 'signing-key.pub.pem'), 'utf8')).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    expect(statSync(join(dir, 'signing-key.pem')).mode & 0o777).toBe(0o600);
    const before = readFileSync(join(dir, 'signing-key.pem'), 'utf8');
    const again = await runCli(['keygen', '--out', dir], {});
    expect(again.code).toBe(2);
    expect(again.stderr).toBe(`flatfile-audit: ${join(dir, 'signing-key.pem')} exists; keygen never overwrites a key (move it away first)\n`);
    expect(readFileSync(join(dir, 'signing-key.pem'), 'utf8')).toBe(before);
  });
});
