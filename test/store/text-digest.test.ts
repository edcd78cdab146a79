/** writeTextDigest (event-chain.ts) writes the very bytes textDigest returns, for any text. */
import { describe, expect, it } from 'vitest';
import { DIGEST_BYTES, textDigest, writeTextDigest } from '../../src/store/chain/event-chain.js';

const TEXTS = ['', 'a', '["us_evt_1",null]', 'nul\u0000', 'lone \ud800', 'emoji 😀', 'é', '\\u0000\t\n', 'x'.repeat(100_000)];

describe('writeTextDigest', () => {
  it('writes textDigest of each text at its offset, and nothing around it', () => {
    const target = Buffer.alloc((TEXTS.length + 2) * DIGEST_BYTES, 0xaa);
    TEXTS.forEach((text, i) => writeTextDigest(text, target, (i + 1) * DIGEST_BYTES));
    expect(target.toString('hex')).toBe(
      Buffer.concat([Buffer.alloc(DIGEST_BYTES, 0xaa), ...TEXTS.map(textDigest), Buffer.alloc(DIGEST_BYTES, 0xaa)]).toString('hex'),
    );
    // Every byte value occurs among the digests, so none is mangled on its way through the string.
    expect(new Set(Array.from({ length: 2000 }, (_x, i) => textDigest(String(i))).flatMap((d) => [...d])).size).toBe(256);
  });
});
