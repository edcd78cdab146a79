/** What a prune is recorded with: its archive's default name, and who pruned. */
import { hostname, userInfo } from 'node:os';
import { join } from 'node:path';

/** audit-before-<date>-pruned-<time>.ndjson.gz: unique per run, and sorted by when it was made. */
export function defaultArchivePath(dir: string, before: string, now: Date): string {
  const stamp = (iso: string) => iso.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return join(dir, `audit-before-${stamp(before)}-pruned-${stamp(now.toISOString())}.ndjson.gz`);
}

/** Who pruned, as the cut records it. */
export function prunedBy(what: string): string {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // no user name for this uid (a container): the host and pid still say where
  }
  return `${what} (${user}@${hostname()}, pid ${process.pid})`;
}
