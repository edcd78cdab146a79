/**
 * `flatfile-audit verify`: recomputes the events' hash chains, the inventories' change log and the
 * inventory versions the trail names actors by, and reports any row changed, deleted or added after
 * it was stored; with --checkpoints, checks the database against checkpoints kept outside it too.
 */
import { readCheckpointLines } from '../checkpoint/checkpoint-file.js';
import { loadVerifyKey } from '../checkpoint/signing-key.js';
import { verifyCheckpoints, type CheckpointReport } from '../checkpoint/verify-checkpoints.js';
import { verifyEventChains, type ChainReport } from '../store/chain/verify-event-chain.js';
import { verifyEventCounts } from '../store/chain/verify-event-counts.js';
import { verifyInventoryLog, type InventoryReport } from '../store/chain/verify-inventory-log.js';
import { verifyInventoryVersions, type VersionReport } from '../store/chain/verify-inventory-versions.js';
import { openReader, type StoreSettings } from '../store/open-store.js';
import { formatTable } from '../output/format.js';
import { escapeControl } from '../output/safe-text.js';

export interface VerifyOptions {
  /** The checkpoint file (AUDIT_CHECKPOINT_FILE of the syncs), or a copy of it. */
  checkpoints?: string | undefined;
  /** The public key(s) matching AUDIT_SIGNING_KEY_FILE (several when the key was rotated). */
  publicKeys?: readonly string[];
}

export interface VerifyResult {
  chain: ChainReport;
  inventory: InventoryReport;
  versions: VersionReport;
  checkpoints?: CheckpointReport;
}

export async function runVerify(settings: StoreSettings, options: VerifyOptions = {}): Promise<VerifyResult> {
  // Arguments first: a wrong path is a usage error (exit 2), before any finding.
  const lines = options.checkpoints === undefined ? undefined : readCheckpointLines(options.checkpoints);
  const keys = (options.publicKeys ?? []).map((path) => loadVerifyKey(path));
  const reader = await openReader(settings);
  try {
    // One snapshot: the chain walk and the checkpoint checks see the same state, whatever a sync commits meanwhile.
    return await reader.snapshot(async (view) => {
      const chain = await verifyEventCounts(view, await verifyEventChains(view));
      const inventory = await verifyInventoryLog(view);
      const versions = await verifyInventoryVersions(view);
      return lines ? { chain, inventory, versions, checkpoints: await verifyCheckpoints({ view, lines, keys, chain }) } : { chain, inventory, versions };
    });
  } finally {
    await reader.close();
  }
}

export function verifyOk(result: VerifyResult): boolean {
  return result.chain.ok && result.inventory.problems.length === 0 && result.versions.problems.length === 0 && (result.checkpoints?.ok ?? true);
}

/** The JSON form: the chain report's fields as they always were, `ok` covering everything checked, and the inventories' findings beside them. */
export function verifyJson(result: VerifyResult): string {
  const { inventory, versions } = result;
  const json = {
    ...result.chain,
    ok: verifyOk(result),
    chainOk: result.chain.ok,
    inventory: { logged: inventory.logged, head: inventory.head, problems: inventory.problems },
    versions,
    ...(result.checkpoints ? { checkpoints: result.checkpoints } : {}),
  };
  return `${JSON.stringify(json, null, 2)}\n`;
}

export function formatVerify(result: VerifyResult): string {
  const { chain: report, checkpoints } = result;
  const lines = [
    formatTable(report.environments.map((e) => ({ environment: e.environmentId, rows: e.rows, 'chain head': e.headSeq === null ? '' : `${e.headSeq} ${e.headHash}`, 'starts after cut': e.cut ? `${e.cut.seq} ${e.cut.hash}` : '' }))).trimEnd(),
  ];
  // Each cut in full: what was pruned, when, by whom, into which archive. A cut nobody ordered is itself the finding to look at.
  for (const e of report.environments) {
    if (e.cut) lines.push(`cut: ${e.environmentId} pruned through seq ${e.cut.seq} at ${e.cut.prunedAt} by ${e.cut.command}; archive ${e.cut.archive ?? 'none'}${e.cut.archiveSha256 ? ` sha256 ${e.cut.archiveSha256}` : ''}${e.cut.cuts > 1 ? ` (${e.cut.cuts} prunes in all)` : ''}`);
  }
  if (report.ok) {
    lines.push(`ok: ${report.rows} events verified, no row changed or deleted since it was stored${report.environments.some((e) => e.cut) ? ' (pruned ones aside: see cut)' : ''}`);
  } else {
    lines.push(formatTable(report.problems.map((p) => ({ environment: p.environmentId, problem: p.kind, seq: p.seq ?? '', event: p.eventId ?? '', detail: p.detail }))).trimEnd());
    lines.push(`TAMPERED: ${report.problemCount} problem(s) in ${report.rows} events${report.problemCount > report.problems.length ? ` (first ${report.problems.length} shown)` : ''}`);
  }
  lines.push(...formatInventories(result));
  if (checkpoints) lines.push(formatCheckpoints(checkpoints));
  return `${lines.join('\n')}\n`;
}

/** One line per finding, in full (the detail names the kind, id and version), then the verdict. */
function formatInventories({ inventory, versions }: VerifyResult): string[] {
  if (!inventory.logged) return ['note: this store predates the inventory change log (schema version 7): inventories not checked'];
  const lines: string[] = [];
  // Ids and names come from the rows found, tampered ones included: never raw to a terminal.
  for (const p of inventory.problems) lines.push(escapeControl(`- inventory ${p.table}${p.id ? ` ${p.id}` : ''}${p.seq ? ` change ${p.seq}` : ''}: ${p.detail}`));
  for (const p of versions.problems) lines.push(escapeControl(`- ${p.detail}`));
  if (inventory.problems.length > 0) lines.push(`TAMPERED: ${inventory.problems.length} inventory row(s) or log entries do not match the change log`);
  else lines.push(`ok: inventories match their change log${inventory.head ? ` (head ${inventory.head.seq})` : ''}`);
  if (!versions.versioned) lines.push('note: this store predates inventory versions: none checked');
  else if (versions.problems.length > 0) lines.push(`TAMPERED: ${versions.problems.length} problem(s) in ${versions.versions} inventory versions (who was who, as the trail names actors)`);
  else lines.push(`ok: ${versions.versions} inventory versions match their change log entries`);
  return lines;
}

function formatCheckpoints(report: CheckpointReport): string {
  const lines = [`checkpoints: ${report.checkpoints}${report.last ? `, the last (${report.last.seq}) at ${report.last.at}` : ''}; signatures: ${report.signatures}`];
  for (const note of report.notes) lines.push(`note: ${note}`);
  if (report.ok) {
    lines.push(`ok: the database matches its ${report.checkpoints} checkpoint(s)`);
  } else {
    // One line each, in full: the message is the evidence, and a table would cut it short.
    for (const f of report.findings) lines.push(`- ${f.subject}: ${f.detail}`);
    lines.push(`TAMPERED: ${report.findings.length} finding(s) against the checkpoints`);
  }
  return lines.join('\n');
}
