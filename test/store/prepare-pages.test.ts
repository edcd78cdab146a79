/** What the listings' thread hands the writer's thread: row texts whose digests are the chain's. */
import { describe, expect, it } from 'vitest';
import { DIGEST_BYTES, rowDigest, type ChainedValues } from '../../src/store/chain/event-chain.js';
import { preparePage } from '../../src/store/sqlite/prepare-pages.js';
import type { EventRecord } from '../../src/records.js';

function event(n: number): EventRecord {
  return {
    id: `us_evt_${n}`, environmentId: 'us_env_1', createdAt: `2026-10-01T00:00:0${n}.000Z`, topic: 'workbook:updated', domain: 'workbook',
    actorId: n % 2 ? 'us_usr_1' : null, spaceId: null, workbookId: null, sheetId: null, jobId: null, acknowledgedAt: null, deletedAt: null,
    raw: JSON.stringify({ id: `us_evt_${n}`, note: 'quotes " and \\\\ and ünïcode' }),
  };
}

describe('preparePage', () => {
  const prepared = preparePage(
    { environmentId: 'us_env_1', events: [event(1), event(2), event(3)], rejected: [], cursor: { kind: 'complete', highWater: null, completedAt: '2026-11-01T00:00:00.000Z' } },
    '2026-11-27T00:00:00.000Z',
  );

  it('gives each event as the text of its stored values, and that text parses back to them', () => {
    const values = prepared!.rows.map((text) => JSON.parse(text) as ChainedValues);
    expect(values.map((v) => v[0])).toEqual(['us_evt_1', 'us_evt_2', 'us_evt_3']);
    expect(values[1]![5]).toBeNull(); // actor_id
    expect(values[0]![12]).toBe('2026-11-27T00:00:00.000Z'); // ingested_at
    expect(values[0]![13]).toBe(event(1).raw);
  });

  it("carries each row's chain digest, in row order, in one buffer of its own", () => {
    const digests = prepared!.digests;
    expect(digests.length).toBe(3 * DIGEST_BYTES);
    prepared!.rows.forEach((text, i) => {
      expect(digests.subarray(i * DIGEST_BYTES, (i + 1) * DIGEST_BYTES).equals(rowDigest(JSON.parse(text) as ChainedValues))).toBe(true);
    });
    // Not a slice of Buffer's shared pool: posting it to the writer's thread would copy the whole pool.
    expect(digests.buffer.byteLength).toBe(digests.length);
  });
});
