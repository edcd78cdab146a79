/**
 * COPY text written as bytes (copy-bytes.ts) and a page's rows prepared with it (storable-page.ts)
 * are byte for byte what the string-built COPY text they replace gave: each row a copyLine (the
 * fields by copyField, joined by tabs), the rows joined by line feeds and encoded by Buffer.from.
 * That older construction is kept here as the oracle, and fed text COPY reads specially, text
 * PostgreSQL cannot hold, text of every UTF-8 length, and texts longer than any buffer's first size.
 */
import { describe, expect, it } from 'vitest';
import type { EventRecord } from '../../../src/records.js';
import { rowDigest } from '../../../src/store/chain/event-chain.js';
import { preparePage } from '../../../src/store/sqlite/prepare-pages.js';
import { CopyBytes } from '../../../src/store/postgres/copy-bytes.js';
import { copyField, type CopyValue } from '../../../src/store/postgres/copy-rows.js';
import { storablePage } from '../../../src/store/postgres/storable-page.js';
import { storableText } from '../../../src/store/postgres/storable-text.js';

/** The row text as it was built before copy-bytes.ts: fields joined by tabs, as one string. */
function oracleLine(values: readonly CopyValue[]): string {
  let line = '';
  for (let c = 0; c < values.length; c += 1) line += (c === 0 ? '' : '\t') + copyField(values[c]!);
  return line;
}

const AWKWARD = [
  '', 'plain', '\\x41', '\\101', '\\N', '\\.', '\\\\', '\\', 'a\\tb', '\\u0000', '\\ud800', 'tab\there', 'line\nbreak',
  'carriage\rreturn', '\r\n', '\t\t', 'nul\u0000byte', 'lone \ud800 high', 'lone \udfff low', '\udc00\ud800', 'emoji 😀',
  'music 𝄞', 'cjk 漢字', 'é composed é', 'bidi \u202e', 'ff \uffff', '\u0001\u001f\u007f', '\u0080\u07ff\u0800',
  'long 😀\t'.repeat(40_000), 'x'.repeat(300_000), `${'é'.repeat(20_000)}\\`,
];

function written(build: (copy: CopyBytes) => void, capacity = 16): Buffer {
  const copy = new CopyBytes(capacity);
  build(copy);
  return copy.take();
}

describe('CopyBytes', () => {
  it('writes each field as Buffer.from writes its copyField text, whatever it holds and however long', () => {
    const values: CopyValue[] = [...AWKWARD, null, 0, 1, 9_007_199_254_740_991, -5];
    for (const value of values) expect(written((copy) => copy.field(value)).toString('hex')).toBe(Buffer.from(copyField(value), 'utf8').toString('hex'));
  });

  it('writes rows as the joined row strings were encoded, in one buffer that grows from a few bytes', () => {
    const rows: CopyValue[][] = AWKWARD.map((text, i) => [text, null, i, AWKWARD[(i + 7) % AWKWARD.length]!, text]);
    const bytes = written((copy) => {
      for (const row of rows) {
        row.forEach((value, c) => {
          if (c > 0) copy.tab();
          copy.field(value);
        });
        copy.lineFeed();
      }
    });
    expect(bytes.toString('hex')).toBe(Buffer.from(rows.map((row) => `${oracleLine(row)}\n`).join(''), 'utf8').toString('hex'));
  });

  it('repeats a field already written, and copies bytes written elsewhere', () => {
    const field = written((copy) => copy.field('again\t😀\\'));
    const bytes = written((copy) => {
      copy.field('a');
      copy.tab();
      copy.field('again\t😀\\');
      copy.tab();
      copy.repeat(2, 2 + field.length);
      copy.tab();
      copy.bytes(field);
    });
    expect(bytes).toEqual(Buffer.from(oracleLine(['a', 'again\t😀\\', 'again\t😀\\', 'again\t😀\\']), 'utf8'));
  });

  it('writes a bytea in hex as the string `\\x…` was written, and a chain sequence as a number', () => {
    const hashes = [Buffer.alloc(32), Buffer.alloc(32, 0xff), Buffer.from(Array.from({ length: 32 }, (_x, i) => i * 8))];
    for (const [i, hash] of hashes.entries()) {
      const bytes = written((copy) => {
        copy.field(i + 1);
        copy.tab();
        copy.byteaHex(hash);
      });
      expect(bytes).toEqual(Buffer.from(oracleLine([i + 1, `\\x${hash.toString('hex')}`]), 'utf8'));
    }
  });

  it('hands over what was written and starts afresh', () => {
    const copy = new CopyBytes(4);
    copy.field('first😀');
    const first = copy.take();
    copy.field('second');
    expect(copy.size).toBe(6);
    expect(first.toString('utf8')).toBe('first😀'); // not overwritten by what came after
    const second = copy.take();
    copy.field('third');
    expect([first.toString('utf8'), second.toString('utf8'), copy.take().toString('utf8')]).toEqual(['first😀', 'second', 'third']);
  });
});

function awkwardEvent(n: number): EventRecord {
  const s = AWKWARD[n % AWKWARD.length]!.slice(0, 2000);
  const raw = n % 5 === 0 ? JSON.stringify({ n, s, nested: [{ [`k${s}`]: s }] }, null, '\t') : JSON.stringify({ n, s });
  return {
    id: `us_evt_${n}_${s}`,
    environmentId: 'ignored: the page names it',
    createdAt: n % 3 === 0 ? '2026-10-01T00:00:00Z' : new Date(Date.parse('2026-10-01T00:00:00.000Z') + n * 1000).toISOString(),
    topic: `workbook:${s}`,
    domain: s,
    actorId: n % 3 === 0 ? null : `us_usr_${s}`,
    spaceId: `us_sp_${s}`,
    workbookId: n % 2 === 0 ? null : s,
    sheetId: s,
    jobId: `\t${s}\n`,
    acknowledgedAt: n % 4 === 0 ? null : '2026-10-02T00:00:00.000+02:00',
    deletedAt: null,
    raw,
  };
}

describe('storablePage', () => {
  const environmentId = 'us_env_\\x41\t😀\ud800';
  const ingestedAt = '2026-11-30T12:00:00.000Z';
  const events = Array.from({ length: 3 * AWKWARD.length }, (_x, n) => awkwardEvent(n));
  const page = storablePage({ environmentId, events, rejected: [], cursor: { kind: 'complete', highWater: null, completedAt: ingestedAt } }, ingestedAt);

  it("gives each event's COPY text up to the chain columns as the row string it replaces, encoded", () => {
    const stored = storableText(environmentId);
    expect(page.events.map((e) => e.copyBytes.toString('hex'))).toEqual(
      page.events.map((e) => {
        const v = e.values;
        const line = oracleLine([v[0], stored, v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12], e.rawJson ?? v[13], v[13]]);
        return Buffer.from(line, 'utf8').toString('hex');
      }),
    );
    // The payloads that needed a storable jsonb of their own: those of the 6 texts with a NUL or a
    // surrogate, or the JSON escape of one (\\u0000, \\ud800), each used 3 times.
    expect(page.events.filter((e) => e.rawJson !== null).length).toBe(18);
  });

  it("gives each event the digest of its values, as the SQLite store's preparePage does", () => {
    const prepared = preparePage({ environmentId: storableText(environmentId), events: page.events.map((e) => eventOf(e.values)), rejected: [], cursor: { kind: 'complete', highWater: null, completedAt: ingestedAt } }, ingestedAt);
    expect(page.events.map((e) => e.digest.toString('hex'))).toEqual(page.events.map((_e, i) => prepared.digests.subarray(i * 32, (i + 1) * 32).toString('hex')));
    expect(page.events.map((e) => e.digest.toString('hex'))).toEqual(page.events.map((e) => rowDigest(e.values).toString('hex')));
  });
});

function eventOf(v: ReturnType<typeof storablePage>['events'][number]['values']): EventRecord {
  return { id: v[0], environmentId: v[1], createdAt: v[2], topic: v[3], domain: v[4], actorId: v[5], spaceId: v[6], workbookId: v[7], sheetId: v[8], jobId: v[9], acknowledgedAt: v[10], deletedAt: v[11], raw: v[13] };
}
