/**
 * A download gives the event loop a turn between chunks. A SQLite cursor reads synchronously and a
 * loopback socket takes megabytes before a write has to wait, so without the turn a download read
 * and wrote chunk after chunk while nothing else ran: its own first rows stayed unsent and every
 * other request of the explorer waited (the bench's "whole trail: first rows", 2026-11-30 search).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { sendDownload } from '../../src/explorer/download.js';
import type { AuditReader, QueryCursor, QueryRow } from '../../src/store/audit-reader.js';

const CHUNKS = 6;

/** A store whose cursor answers at once, as SQLite's does, and notes at each read whether the loop turned since the last one. */
function immediateReader(turns: boolean[]): AuditReader {
  const cursor = (): QueryCursor => {
    let reads = 0;
    let turned = true;
    return {
      columns: ['event_id', 'note'],
      read: async (count) => {
        if (reads > 0) turns.push(turned);
        turned = false;
        setImmediate(() => (turned = true));
        reads += 1;
        // Full chunks (a long note, so each is ~100 kB), then an empty read: the end.
        return reads > CHUNKS ? [] : Array.from({ length: count }, (_v, i): QueryRow => ({ event_id: `us_evt_${reads}_${i}`, note: 'x'.repeat(200) }));
      },
      close: async () => undefined,
    };
  };
  return { openQuery: async () => cursor() } as unknown as AuditReader;
}

describe('a download', () => {
  it.each(['csv', 'ndjson'] as const)('lets the event loop turn between its chunks (%s)', async (format) => {
    const turns: boolean[] = [];
    const reader = immediateReader(turns);
    const server = createServer((_req, res) => void sendDownload(reader, {}, format, res, 60_000));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      const lines = (await res.text()).trim().split('\n');
      expect(lines).toHaveLength(CHUNKS * 500 + (format === 'csv' ? 1 : 0));
      expect(turns).toEqual(Array.from({ length: CHUNKS }, () => true));
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
