/**
 * One batch of audit_trail rows as the receiver takes it. Each record carries the event id
 * (`event_id`), the same every time it is sent: delivery is at least once (a batch the receiver
 * stored but whose answer was lost is sent again), and the receiver, or a search, drops repeats by it.
 * - ndjson: one JSON object per line, the row as `export` prints it (its position first).
 * - splunk-hec: HEC's event JSON, one object per event, concatenated (what /services/collector/event
 *   takes): time (the event's createdAt, epoch seconds), host, source, sourcetype, and the row as `event`.
 */
import type { ForwardFormat } from '../config.js';
import type { QueryRow } from '../store/audit-reader.js';

export interface BodyOptions {
  format: ForwardFormat;
  host: string;
  sourcetype: string;
}

export const SOURCE = 'flatfile-audit';

export function batchBody(rows: readonly QueryRow[], options: BodyOptions): { body: string; contentType: string } {
  if (options.format === 'ndjson') {
    return { body: rows.map((row) => `${JSON.stringify(row)}\n`).join(''), contentType: 'application/x-ndjson' };
  }
  const body = rows
    .map((row) => JSON.stringify({ time: Date.parse(String(row.created_at)) / 1000, host: options.host, source: SOURCE, sourcetype: options.sourcetype, event: row }))
    .join('\n');
  return { body: `${body}\n`, contentType: 'application/json' };
}
