/**
 * `flatfile-audit prune --before DATE [--archive FILE | --no-archive]`: removes each environment's
 * events created before DATE from the start of its chain (rule 13 of src/store/audit-store.ts),
 * after writing them to an archive (src/retention/). With AUDIT_CHECKPOINT_FILE set it then writes
 * a checkpoint, so the new cut is anchored outside the database at once.
 */
import { resolve } from 'node:path';
import { openCheckpointWriter, prepareCheckpoints } from '../checkpoint/open-checkpoints.js';
import type { Config } from '../config.js';
import { ConfigError } from '../errors.js';
import { createLogger } from '../log.js';
import { defaultArchivePath, prunedBy } from '../retention/archive-name.js';
import { pruneEvents, type PruneResult } from '../retention/prune-events.js';
import { openReader, openStore } from '../store/open-store.js';
import { EXIT, type CliContext } from './context.js';
import { formatTable } from '../output/format.js';
import { isoInstant } from './iso-instant.js';

export interface PruneCliOptions {
  before: string;
  archivePath: string | null;
}

/** --before is required; --archive and --no-archive exclude each other; the default archive goes to AUDIT_ARCHIVE_DIR. */
export function parsePruneOptions(values: { before?: string | undefined; archive?: string | undefined; 'no-archive': boolean }, config: Pick<Config, 'retention'>, now: Date): PruneCliOptions {
  if (values.before === undefined) throw new ConfigError('prune needs --before DATE: events created before it are pruned, e.g. flatfile-audit prune --before 2025-01-01');
  const before = isoInstant('--before', values.before)!;
  if (Date.parse(before) > now.getTime()) throw new ConfigError(`--before ${values.before} is in the future: that would prune events not yet created`);
  if (values['no-archive'] && values.archive !== undefined) throw new ConfigError('give either --archive FILE or --no-archive, not both');
  const archivePath = values['no-archive'] ? null : resolve(values.archive ?? defaultArchivePath(config.retention.archiveDir, before, now));
  return { before, archivePath };
}

export async function runPrune(ctx: CliContext, config: Config, options: PruneCliOptions): Promise<number> {
  const log = createLogger({ level: ctx.env.LOG_LEVEL ? config.logLevel : 'warn' });
  const checkpointSettings = prepareCheckpoints(config);
  const store = await openStore(config);
  let result: PruneResult;
  try {
    result = await pruneEvents(
      { store, openReader: () => openReader(config), log, clock: () => new Date() },
      { before: options.before, lookbackMs: config.lookbackMs, archivePath: options.archivePath, command: prunedBy(`prune --before ${options.before}`), signal: ctx.signal },
    );
    if (checkpointSettings && result.cuts.length > 0) {
      const checkpoints = openCheckpointWriter(checkpointSettings, store, log);
      try {
        await checkpoints.append('interval');
      } finally {
        await checkpoints.close();
      }
    }
  } finally {
    await store.close();
  }
  ctx.stdout.write(formatPrune(result, options.before));
  if (!result.complete) {
    ctx.stderr.write('flatfile-audit: prune stopped before it finished; what was pruned is recorded (verify holds), run it again to go on\n');
    return EXIT.failed;
  }
  return EXIT.ok;
}

function formatPrune(result: PruneResult, before: string): string {
  const lag = result.lagRows > 0 ? `visibility lag: ${result.lagRows} hourly count row(s) of hours before ${before} deleted (never of the last 24 hours)\n` : '';
  return formatEvents(result, before) + lag;
}

function formatEvents(result: PruneResult, before: string): string {
  if (result.plans.length === 0) return `nothing to prune: no environment's chain starts with events created before ${before}\n`;
  const lines = [
    formatTable(result.plans.map((p) => {
      const cut = result.cuts.find((c) => c.environmentId === p.environmentId);
      return { environment: p.environmentId, pruned: result.pruned.get(p.environmentId) ?? 0, 'chain now starts after': cut ? `seq ${cut.seq} ${cut.hash.slice(0, 16)}…` : '' };
    })).trimEnd(),
  ];
  if (result.archive) lines.push(`archive: ${result.archive.path} (${result.archive.events} events, ${result.archive.bytes} bytes, sha256 ${result.archive.sha256})`);
  else lines.push('archive: none (--no-archive)');
  return `${lines.join('\n')}\n`;
}
