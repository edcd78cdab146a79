/**
 * Events are loaded by COPY (copy-rows.ts): every stored field must be byte for byte what a plain
 * parameterised INSERT of the same prepared values stores, whatever the text holds (backslashes
 * that COPY's text format would read as escapes, tabs, line breaks, NUL, lone surrogates, emoji),
 * with several environments' writes at once through one pool, and the chains must verify.
 */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import type { EventRecord } from '../../../src/records.js';
import type { PageWrite } from '../../../src/store/audit-store.js';
import { writePagesInTransaction } from '../../../src/store/postgres/page-writer.js';
import { storablePage } from '../../../src/store/postgres/storable-page.js';
import { poolSettings } from '../../../src/store/postgres/connection-settings.js';
import { openPgStore, pgQuery, pgSettings, testDatabase, walkChains } from '../../helpers/postgres.js';

const db = testDatabase();

/** Text that COPY's text format reads specially unless each character is escaped as it must be. */
const TRICKY = [
  '\\x41', '\\101', '\\N', '\\.', '\\\\', '\\', 'a\\tb', '\\u0000', '\\ud800',
  'tab\there', 'line\nbreak', 'carriage\rreturn', '\r\n', 'nul\u0000byte', 'lone \ud800 high', 'lone \udfff low',
  'emoji 😀', 'music 𝄞', 'cjk 漢字', 'é composed é', 'bidi \u202e', 'ff \uffff', '\u0001\u001f\u007f',
];

function trickyEvent(environmentId: string, n: number, shared: boolean): EventRecord {
  const s = TRICKY[n % TRICKY.length]!;
  const id = shared ? `us_evt_shared_${n}` : `us_evt_${environmentId}_${n}_${s}`;
  const payload = { id, n, s, all: TRICKY, ['key ' + s]: s, nested: [{ deep: `${s}${s}` }], filler: TRICKY.join('').repeat(20) };
  // Pretty-printed with tabs and CRLF between tokens: whitespace JSON allows, kept as sent in raw_text.
  const raw = JSON.stringify(payload, null, '\t').replace(/\n/g, '\r\n');
  return {
    id,
    environmentId,
    createdAt: new Date(Date.parse('2026-10-01T00:00:00.000Z') + n * 1000).toISOString(),
    topic: `workbook:${s}`,
    domain: s,
    actorId: n % 3 === 0 ? null : `us_usr_${s}`,
    spaceId: `us_sp_${s}`,
    workbookId: n % 2 === 0 ? null : s,
    sheetId: s,
    jobId: `\t${s}\n`,
    acknowledgedAt: n % 4 === 0 ? null : '2026-10-02T00:00:00.000Z',
    deletedAt: null,
    raw,
  };
}

/** Batches of two pages each, big enough (a few MB) that a COPY's data fills the connection's buffers. */
const BATCHES = 4;
const PAGE = 250;

/** One environment's batches: pages of tricky events, some ids shared with every other environment. */
function batches(environmentId: string): PageWrite[][] {
  return Array.from({ length: BATCHES }, (_b, b) =>
    Array.from({ length: 2 }, (_p, p) => {
      const from = (b * 2 + p) * PAGE;
      const events = Array.from({ length: PAGE }, (_e, i) => trickyEvent(environmentId, from + i, (from + i) % 7 === 0));
      return { environmentId, events, rejected: [], cursor: { kind: 'progress', listing: { since: null, pageSize: PAGE, nextPage: b * 2 + p + 2, maxCreatedAt: null, pageFill: PAGE, startedAt: '2026-11-01T00:00:00.000Z' } } };
    }),
  );
}

const COLUMNS = `id, environment_id, created_at::text, topic, domain, actor_id, space_id, workbook_id, sheet_id, job_id,
  acknowledged_at::text, deleted_at::text, ingested_at::text, raw::text, raw_text, chain_seq, encode(chain_hash, 'hex') AS chain_hash`;

describe('events stored by COPY', () => {
  it('are byte for byte what an INSERT of the same values stores, four environments writing at once through one pool', async () => {
    const { store, schema } = openPgStore(db);
    await store.ready();
    const environments = ['us_env_a', 'us_env_b\\x41', 'us_env_c\t', 'us_env_d😀'];
    const now = '2026-11-30T12:00:00.000Z';
    const expected = new Map<string, ReturnType<typeof storablePage>['events'][number] & { environmentId: string }>();
    // Each environment's batches in order, all four at once, each batch its own transaction on the one pool.
    await Promise.all(
      environments.map(async (environmentId) => {
        for (const pages of batches(environmentId)) {
          const storable = pages.map((page) => storablePage(page, now));
          for (const page of storable) for (const e of page.events) expected.set(`${page.environmentId} ${e.values[0]}`, { ...e, environmentId: page.environmentId });
          await writePagesInTransaction(store.pool, schema, storable, now);
        }
      }),
    );

    const walk = await walkChains(store);
    expect(walk.problems).toEqual([]);
    const stored = await pgQuery<Record<string, unknown> & { id: string; environment_id: string }>(db, schema, `SELECT ${COLUMNS} FROM events ORDER BY id COLLATE "C"`);
    const distinctIds = new Set([...expected.values()].map((e) => e.values[0]));
    expect(stored.map((r) => r.id)).toEqual([...distinctIds].sort((a, b) => (Buffer.compare(Buffer.from(a), Buffer.from(b)))));

    // The oracle: the same prepared values, one parameterised INSERT a row, into a table of the same shape.
    const client = new pg.Client(poolSettings(pgSettings(db, schema), {}));
    await client.connect();
    try {
      await client.query('CREATE TABLE oracle (LIKE events INCLUDING DEFAULTS)');
      for (const row of stored) {
        const e = expected.get(`${row.environment_id} ${row.id}`)!;
        const v = e.values;
        await client.query(
          `INSERT INTO oracle (id, environment_id, created_at, topic, domain, actor_id, space_id, workbook_id, sheet_id, job_id,
                               acknowledged_at, deleted_at, ingested_at, raw, raw_text, chain_seq, chain_hash)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14::jsonb, $15, $16, decode($17, 'hex'))`,
          [v[0], e.environmentId, v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12], e.rawJson ?? v[13], v[13], row.chain_seq, row.chain_hash],
        );
      }
    } finally {
      await client.end();
    }
    const oracle = await pgQuery(db, schema, `SELECT ${COLUMNS} FROM oracle ORDER BY id COLLATE "C"`);
    expect(stored).toEqual(oracle);
    // And compared by the server, as bytes.
    expect(
      await pgQuery(
        db,
        schema,
        `SELECT count(*)::int AS differing FROM events e JOIN oracle o USING (id)
         WHERE (e.environment_id, e.created_at, e.topic, e.domain, e.actor_id, e.space_id, e.workbook_id, e.sheet_id, e.job_id,
                e.acknowledged_at, e.deleted_at, e.ingested_at, e.raw, convert_to(e.raw_text, 'UTF8'), e.chain_seq, e.chain_hash)
          IS DISTINCT FROM
               (o.environment_id, o.created_at, o.topic, o.domain, o.actor_id, o.space_id, o.workbook_id, o.sheet_id, o.job_id,
                o.acknowledged_at, o.deleted_at, o.ingested_at, o.raw, convert_to(o.raw_text, 'UTF8'), o.chain_seq, o.chain_hash)`,
      ),
    ).toEqual([{ differing: 0 }]);
    // raw_text is the payload as kept: parsed, it is what the API sent.
    const some = stored.find((r) => r.id.includes('\\x41'))!;
    expect(JSON.parse(some.raw_text as string)).toEqual(JSON.parse(expected.get(`${some.environment_id} ${some.id}`)!.values[13]));
  }, 300_000);
});
