import { describe, expect, it } from 'vitest';
import { isoString } from '../../src/simulator/iso-date.js';
import { createRng } from '../../src/simulator/random.js';

describe('isoString', () => {
  it('matches Date#toISOString on edge dates and random ones', () => {
    const rng = createRng(3);
    const edges = [0, 951_782_400_000, 951_868_799_999, 4_107_542_400_000, 253_402_300_799_999, -1, 253_402_300_800_000, 1.5];
    const random = Array.from({ length: 5000 }, () => Math.floor(rng.next() * 4_102_444_800_000));
    for (const ms of [...edges, ...random]) expect(isoString(ms)).toBe(new Date(ms).toISOString());
  });
});
