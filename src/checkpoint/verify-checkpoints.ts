/**
 * `verify --checkpoints`: checks the checkpoint file (its chain and signatures, and that nothing it
 * records ever goes backwards) and the database against it: every anchored event (sequence, hash)
 * still there, no anchored environment gone, no count lower, the inventories consistent with their
 * change log and with the last checkpoint, and no schema object the migrations did not create.
 * Each finding names what changed.
 */
import type { AuditSnapshot } from '../store/audit-snapshot.js';
import type { ChainReport, CutReport } from '../store/chain/verify-event-chain.js';
import { verifyInventoryLog } from '../store/chain/verify-inventory-log.js';
import { checkpointHash, CheckpointFormatError, parseCheckpoint, signedBytes, type Checkpoint } from './checkpoint.js';
import { signatureHolds, type VerifyKey } from './signing-key.js';

export interface CheckpointFinding {
  /** What changed: a file line, an environment, a table row, a schema object. */
  subject: string;
  detail: string;
}

export interface CheckpointReport {
  ok: boolean;
  checkpoints: number;
  last: { seq: number; at: string } | null;
  signatures: string;
  findings: CheckpointFinding[];
  notes: string[];
}

export interface CheckpointInput {
  /** The store as of one moment, the same the chain walk read. */
  view: AuditSnapshot;
  lines: ReadonlyArray<{ line: number; text: string }>;
  /** The public keys the checkpoints may be signed with (several across a key rotation); none: signatures are not checked. */
  keys?: readonly VerifyKey[];
  /** Today's chain walk over the same database. */
  chain: ChainReport;
}

interface Valid {
  line: number;
  cp: Checkpoint;
}

export async function verifyCheckpoints(input: CheckpointInput): Promise<CheckpointReport> {
  const findings: CheckpointFinding[] = [];
  const notes: string[] = [];
  const find = (subject: string, detail: string) => findings.push({ subject, detail });

  const valid: Valid[] = [];
  for (const { line, text } of input.lines) {
    try {
      valid.push({ line, cp: parseCheckpoint(text) });
    } catch (error) {
      if (!(error instanceof CheckpointFormatError)) throw error;
      // Left by a crash mid-append, or junk: harmless alone; if it replaced a checkpoint, the next one's prevHash says so.
      notes.push(`line ${line} is not a checkpoint (${error.message}); skipped`);
    }
  }
  const last = valid.at(-1)?.cp;
  if (!last) {
    find('checkpoint file', 'holds no checkpoint: nothing anchors the database');
    return { ok: false, checkpoints: 0, last: null, signatures: 'none', findings, notes };
  }

  checkFileChain(valid, find);
  const signatures = checkSignatures(valid, input.keys ?? [], find);
  checkNothingGoesBack(valid, find);
  await checkSchemasRecorded(input.view, valid, find);
  await checkEvents(input, valid, find, notes);
  await checkInventory(input.view, valid, find, notes);
  await checkSchemaNow(input.view, last, find);

  return { ok: findings.length === 0, checkpoints: valid.length, last: { seq: last.seq, at: last.at }, signatures, findings, notes };
}

type Find = (subject: string, detail: string) => void;

const where = (v: Valid) => `line ${v.line} (checkpoint ${v.cp.seq})`;

function checkFileChain(valid: readonly Valid[], find: Find): void {
  const first = valid[0]!;
  if (first.cp.prevHash !== null || first.cp.seq !== 1) find(where(first), 'is not the first checkpoint ever written (prevHash set, or seq not 1): earlier lines were removed from the file');
  for (let i = 1; i < valid.length; i += 1) {
    const [before, after] = [valid[i - 1]!, valid[i]!];
    if (after.cp.prevHash !== checkpointHash(before.cp)) {
      find(where(after), `prevHash does not match the checkpoint on line ${before.line}: that line was changed, or lines between them were removed`);
    } else if (after.cp.seq !== before.cp.seq + 1) {
      find(where(after), `follows checkpoint ${before.cp.seq}: checkpoints between them were removed`);
    }
  }
}

function checkSignatures(valid: readonly Valid[], keys: readonly VerifyKey[], find: Find): string {
  const signed = valid.filter((v) => v.cp.signature !== undefined).length;
  if (keys.length === 0) return signed === 0 ? 'not signed' : `${signed} signed, not checked (give --public-key)`;
  const given = keys.map((k) => k.keyId).join(', ');
  let good = 0;
  for (const v of valid) {
    // keyId only picks the key to try: it is itself signed, so a forged one cannot make a signature hold.
    const key = keys.find((k) => k.keyId === v.cp.keyId) ?? (v.cp.keyId === undefined && keys.length === 1 ? keys[0] : undefined);
    if (v.cp.signature === undefined) find(where(v), 'is not signed, though a public key was given: written without AUDIT_SIGNING_KEY_FILE, or its signature removed');
    else if (!key) find(where(v), `was signed by key ${v.cp.keyId ?? '(unnamed)'}, not by the given public key ${given}`);
    else if (!signatureHolds(signedBytes(v.cp), v.cp.signature, key)) find(where(v), `signature does not verify with public key ${key.keyId}: the line was changed after it was signed`);
    else good += 1;
  }
  return `${good} of ${valid.length} verified with key ${given}`;
}

/** Event sequences and counts, inventory rows and the schema version only ever grow from one checkpoint to the next. */
function checkNothingGoesBack(valid: readonly Valid[], find: Find): void {
  for (let i = 1; i < valid.length; i += 1) {
    const [before, after] = [valid[i - 1]!.cp, valid[i]!];
    for (const [id, head] of Object.entries(before.environments)) {
      const now = after.cp.environments[id];
      if (!now) find(`environment ${id}`, `is in checkpoint ${before.seq} (seq ${head.seq}, ${head.events} events) but not in checkpoint ${after.cp.seq}: its events and chain head were deleted between them`);
      else if (now.seq < head.seq || now.events < head.events) {
        find(`environment ${id}`, `went back from seq ${head.seq} (${head.events} events) at checkpoint ${before.seq} to seq ${now.seq} (${now.events} events) at checkpoint ${after.cp.seq}`);
      }
      // A cut only ever moves forward (prunes remove a chain's start, never put it back).
      if (now && head.cut && (!now.cut || now.cut.seq < head.cut.seq || (now.cut.seq === head.cut.seq && now.cut.hash !== head.cut.hash))) {
        find(`environment ${id}`, `its cut went from seq ${head.cut.seq} at checkpoint ${before.seq} to ${now.cut ? `seq ${now.cut.seq} with ${now.cut.seq === head.cut.seq ? 'another hash' : 'an earlier seq'}` : 'none'} at checkpoint ${after.cp.seq}`);
      }
    }
    const [changesBefore, changesAfter] = [before.inventory.changes?.seq ?? 0, after.cp.inventory.changes?.seq ?? 0];
    if (changesAfter < changesBefore) find('inventory change log', `went back from entry ${changesBefore} at checkpoint ${before.seq} to ${changesAfter} at checkpoint ${after.cp.seq}`);
    for (const [table, digest] of Object.entries(before.inventory.tables)) {
      const rows = after.cp.inventory.tables[table]?.rows ?? 0;
      if (rows < digest.rows) find(`table ${table}`, `went from ${digest.rows} rows at checkpoint ${before.seq} to ${rows} at checkpoint ${after.cp.seq}: inventory rows are never deleted by a sync`);
    }
    if (after.cp.schema.version < before.schema.version) find('schema', `version went back from ${before.schema.version} at checkpoint ${before.seq} to ${after.cp.schema.version} at checkpoint ${after.cp.seq}`);
  }
}

/** Each checkpoint's schema must be exactly what the migrations create at its version: a trigger there once, even if gone now, is found. */
async function checkSchemasRecorded(view: AuditSnapshot, valid: readonly Valid[], find: Find): Promise<void> {
  const seen = new Set<string>();
  for (const v of valid) {
    const { version, digest } = v.cp.schema;
    if (seen.has(`${version} ${digest}`)) continue;
    seen.add(`${version} ${digest}`);
    const expected = await view.schemaDigestAt(version);
    if (expected === undefined) find(where(v), `records schema version ${version}, newer than this flatfile-audit knows (${(await view.schema()).latestVersion}); verify with a newer one`);
    else if (digest !== expected) {
      find(where(v), `records a schema that is not the one flatfile-audit's migrations create at version ${version}: a trigger, view, table or index was added, removed or changed before it was taken`);
    }
  }
}

async function checkEvents(input: CheckpointInput, valid: readonly Valid[], find: Find, notes: string[]): Promise<void> {
  const { view, chain } = input;
  // Every (sequence, hash) any checkpoint anchored, and the latest checkpoint that mentions each environment.
  const anchors = new Map<string, Map<number, { hash: string; checkpoint: number }>>();
  const latest = new Map<string, { checkpoint: number; seq: number; events: number }>();
  for (const { cp } of valid) {
    for (const [id, head] of Object.entries(cp.environments)) {
      const seqs = anchors.get(id) ?? new Map<number, { hash: string; checkpoint: number }>();
      anchors.set(id, seqs);
      const earlier = seqs.get(head.seq);
      if (earlier && earlier.hash !== head.hash) {
        find(`environment ${id}`, `checkpoints ${earlier.checkpoint} and ${cp.seq} anchor seq ${head.seq} with different hashes: its chain was rewritten between them`);
      }
      if (!earlier) seqs.set(head.seq, { hash: head.hash, checkpoint: cp.seq });
      latest.set(id, { checkpoint: cp.seq, seq: head.seq, events: head.events });
    }
  }
  const storedHeads = new Map((await view.chainHeads()).map((h) => [h.environmentId, h.seq]));
  const lastCheckpoint = valid.at(-1)!.cp;
  let unanchored = 0;
  for (const [id, seqs] of anchors) {
    const now = chain.environments.find((e) => e.environmentId === id);
    const seen = latest.get(id)!;
    const head = storedHeads.get(id);
    if (!now && head === undefined) {
      find(`environment ${id}`, `vanished: checkpoint ${seen.checkpoint} anchored its chain at seq ${seen.seq} with ${seen.events} events; the database has no event and no chain head for it`);
      continue;
    }
    const cut = now?.cut ?? null;
    let beforeCut = 0;
    for (const [seq, anchor] of [...seqs.entries()].sort((a, b) => a[0] - b[0])) {
      if (cut && seq < cut.seq) {
        // Pruned: its rows are in an archive, not here (verify-archive checks them there).
        beforeCut += 1;
        continue;
      }
      if (cut && seq === cut.seq) {
        if (anchor.hash !== cut.hash) find(`environment ${id}`, `its cut (seq ${cut.seq}) has another hash than checkpoint ${anchor.checkpoint} anchored for that event (${anchor.hash.slice(0, 16)}…): the cut was forged`);
        continue;
      }
      const hashes = await view.eventHashesAt(id, seq);
      if (hashes.length === 0) {
        const end = (await view.lastEventSeq(id)) ?? 0;
        find(`environment ${id}`, `event seq ${seq}, anchored by checkpoint ${anchor.checkpoint}, is gone: the chain now ends at seq ${end}${head !== undefined && head < seq ? ` and its stored head was rewritten to seq ${head}` : ''}`);
        break;
      }
      if (!hashes.includes(anchor.hash)) {
        find(`environment ${id}`, `event seq ${seq} no longer has the hash checkpoint ${anchor.checkpoint} anchored (${anchor.hash.slice(0, 16)}…): the chain up to it was rewritten`);
        break;
      }
    }
    if (beforeCut > 0) notes.push(`environment ${id}: ${beforeCut} anchor(s) of the checkpoints lie before its cut at seq ${cut!.seq} (pruned ${cut!.prunedAt}): checked against its archives only`);
    checkCut(id, cut, lastCheckpoint, find, notes);
    // Pruned events count as the checkpoints count them: the chain's length is what must never shrink.
    const rows = (now?.rows ?? 0) + (cut?.seq ?? 0);
    if (rows < seen.events) find(`environment ${id}`, `${rows} events now${cut ? ` (${cut.seq} of them pruned)` : ''}, checkpoint ${seen.checkpoint} recorded ${seen.events}: events were deleted`);
    if (lastCheckpoint.environments[id] && head !== undefined) unanchored += Math.max(0, head - lastCheckpoint.environments[id]!.seq);
  }
  for (const e of chain.environments) if (!anchors.has(e.environmentId)) unanchored += e.rows;
  if (unanchored > 0) notes.push(`${unanchored} event(s) were stored after the last checkpoint (${lastCheckpoint.seq}, ${lastCheckpoint.at}): not anchored yet`);
}

/**
 * The stored cut against the last checkpoint's: a cut the checkpoints anchored must still be there
 * as it was, or have moved forward; one made since (by a prune, or forged with the rows it claims
 * were pruned deleted behind the store's back) is not anchored until the next checkpoint.
 */
function checkCut(id: string, cut: CutReport | null, last: Checkpoint, find: Find, notes: string[]): void {
  const anchored = last.environments[id]?.cut;
  if (anchored && !cut) find(`environment ${id}`, `checkpoint ${last.seq} anchored its cut at seq ${anchored.seq}; the database records no cut: the cut was removed`);
  else if (anchored && cut && cut.seq < anchored.seq) find(`environment ${id}`, `its cut is at seq ${cut.seq}, checkpoint ${last.seq} anchored it at seq ${anchored.seq}: the cut was set back`);
  else if (anchored && cut && cut.seq === anchored.seq && cut.hash !== anchored.hash) find(`environment ${id}`, `its cut at seq ${cut.seq} has another hash than checkpoint ${last.seq} anchored: the cut was forged`);
  else if (cut && (!anchored || cut.seq > anchored.seq)) {
    notes.push(`environment ${id}: its cut at seq ${cut.seq} (${cut.command}, ${cut.prunedAt}) was made after the last checkpoint (${last.seq}): not anchored yet`);
  }
}

async function checkInventory(view: AuditSnapshot, valid: readonly Valid[], find: Find, notes: string[]): Promise<void> {
  const last = valid.at(-1)!.cp;
  const inventory = await verifyInventoryLog(view, last.inventory.changes?.seq ?? 0);
  for (const p of inventory.problems) find(p.table === 'inventory_changes' ? `inventory change log entry ${p.seq}` : `${p.table} ${p.id}`, p.detail);
  if (!inventory.logged) {
    if (valid.some((v) => v.cp.inventory.changes !== null)) find('inventory change log', 'the table inventory_changes is gone');
    return;
  }

  const checked = new Set<number>();
  for (const { cp } of valid) {
    const anchor = cp.inventory.changes;
    if (!anchor || checked.has(anchor.seq)) continue;
    checked.add(anchor.seq);
    const hash = await view.inventoryChangeHash(anchor.seq);
    if (hash !== anchor.hash) {
      find('inventory change log', `entry ${anchor.seq}, anchored by checkpoint ${cp.seq}, ${hash === undefined ? 'is gone: the log was cut back' : 'has another hash: the log was rewritten'}`);
      break;
    }
  }

  // What the tables held at the last checkpoint must be what the log says up to the entry it anchored.
  const differs: string[] = [];
  for (const [table, recorded] of Object.entries(last.inventory.tables)) {
    const fromLog = inventory.at?.tables[table as keyof typeof inventory.tables];
    if (fromLog && fromLog.digest !== recorded.digest) {
      find(`table ${table}`, `at checkpoint ${last.seq} held ${recorded.rows} rows that its change log (up to entry ${last.inventory.changes?.seq ?? 0}) does not account for (${fromLog.rows} rows logged): rows were changed behind the sync's back before that checkpoint`);
    }
    const now = inventory.tables[table as keyof typeof inventory.tables];
    if (now && now.digest !== recorded.digest) differs.push(table);
  }
  const explained = differs.filter((table) => !inventory.problems.some((p) => p.table === table));
  if (explained.length > 0) {
    notes.push(`${explained.join(', ')} changed since the last checkpoint, each change written by a later sync (change log entries ${(last.inventory.changes?.seq ?? 0) + 1}..${inventory.head?.seq ?? 0})`);
  }
}

async function checkSchemaNow(view: AuditSnapshot, last: Checkpoint, find: Find): Promise<void> {
  const schema = await view.schema();
  if (schema.unknownVersion) find('schema', `version ${schema.version} is newer than this flatfile-audit knows (${schema.latestVersion}); verify with a newer one`);
  if (schema.version < last.schema.version) find('schema', `version ${schema.version} now, checkpoint ${last.seq} recorded ${last.schema.version}: it was set back`);
  for (const { kind, object } of schema.differences) {
    const subject = `${object.type} ${object.name}${object.type === 'table' ? '' : ` on ${object.tableName}`}`;
    if (kind === 'unexpected') find(subject, `not created by flatfile-audit's migrations: ${oneLine(object.sql)}`);
    else if (kind === 'missing') find(subject, `created by flatfile-audit's migrations is missing`);
    else find(subject, `differs from what flatfile-audit's migrations created: ${oneLine(object.sql)}`);
  }
}

function oneLine(sql: string): string {
  const flat = sql.replace(/\s+/g, ' ').trim();
  return flat.length > 160 ? `${flat.slice(0, 157)}...` : flat;
}
