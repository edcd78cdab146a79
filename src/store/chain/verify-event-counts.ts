/**
 * Rule 19 of audit-store.ts checked by verify: each environment's event counts (event_counts) add up
 * to the events the chain walk found in it. A count edited, or events deleted or added past the
 * store, shows as a 'count-mismatch' finding of the chain report.
 */
import type { AuditSnapshot } from '../audit-snapshot.js';
import type { ChainProblem, ChainReport } from './verify-event-chain.js';

/** The chain report with a finding for each environment whose counts differ from its rows. */
export async function verifyEventCounts(view: Pick<AuditSnapshot, 'eventCounts'>, chain: ChainReport): Promise<ChainReport> {
  const counted = await view.eventCounts();
  if (counted === null) return chain;
  const found: ChainProblem[] = [];
  const rows = new Map(chain.environments.map((e) => [e.environmentId, e.rows]));
  for (const environmentId of [...new Set([...rows.keys(), ...counted.keys()])].sort()) {
    const events = rows.get(environmentId) ?? 0;
    const count = counted.get(environmentId) ?? 0;
    if (events !== count) {
      found.push({ environmentId, kind: 'count-mismatch', seq: null, eventId: null, detail: `event_counts adds up to ${count} events, the chain holds ${events}: a count or an event was changed past the store` });
    }
  }
  if (found.length === 0) return chain;
  return { ...chain, ok: false, problems: [...chain.problems, ...found], problemCount: chain.problemCount + found.length };
}
