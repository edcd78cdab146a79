/**
 * Seeded pseudo-random numbers. The simulator must be reproducible (same seed, same account, same
 * fault sequence), so nothing in it may call Math.random. mulberry32 is tiny, fast enough for a
 * million events and statistically fine for test data.
 */

/** A seeded stream of random draws. */
export interface Rng {
  /** Float in [0, 1). */
  next(): number;
  /** Unsigned 32-bit integer. */
  uint32(): number;
  /** Integer in [min, max], both inclusive. */
  int(min: number, max: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T;
  /** `prefix` followed by `length` characters of [0-9A-Za-z], as one flat string. */
  id(prefix: string, length: number): string;
}

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const ALPHABET_CODES = Array.from(ALPHABET, (c) => c.charCodeAt(0));

/** A mulberry32 stream; `seed` is reduced to 32 bits. */
export function createRng(seed: number): Rng {
  return new Mulberry32(seed);
}

/** Methods live on the prototype: a stream is made per served event, so it must be cheap to create. */
class Mulberry32 implements Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  uint32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  next(): number {
    return this.uint32() / 4294967296;
  }

  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('cannot pick from an empty list');
    return items[Math.floor(this.next() * items.length)] as T;
  }

  id(prefix: string, length: number): string {
    // Built from char codes in one go: `prefix + random` would make a V8 cons string, which
    // costs noticeably more memory per id when a million of them are kept.
    const codes = new Array<number>(prefix.length + length);
    for (let i = 0; i < prefix.length; i++) codes[i] = prefix.charCodeAt(i);
    let bits = 0;
    let left = 0;
    for (let i = prefix.length; i < codes.length; i++) {
      if (left === 0) {
        bits = this.uint32();
        left = 5; // 62^5 < 2^32: five characters per draw
      }
      codes[i] = ALPHABET_CODES[bits % 62] as number;
      bits = Math.floor(bits / 62);
      left--;
    }
    return String.fromCharCode.apply(null, codes);
  }
}

/** A short id from one 32-bit value (for ids rebuilt on every request, where speed beats flatness). */
export function shortId(prefix: string, value: number): string {
  let out = prefix;
  let bits = value >>> 0;
  for (let i = 0; i < 5; i++) {
    out += ALPHABET.charAt(bits % 62);
    bits = Math.floor(bits / 62);
  }
  return out;
}

/** Derives an independent seed from a base seed and labels, so streams do not shift each other. */
export function deriveSeed(base: number, ...labels: Array<number | string>): number {
  let h = (base ^ 0x9e3779b9) >>> 0;
  for (const label of labels) {
    const text = String(label);
    for (let i = 0; i < text.length; i++) {
      h = Math.imul(h ^ text.charCodeAt(i), 0x85ebca6b) >>> 0;
      h = (h ^ (h >>> 13)) >>> 0;
    }
    h = Math.imul(h ^ 0x2f, 0xc2b2ae35) >>> 0;
  }
  return (h ^ (h >>> 16)) >>> 0;
}
