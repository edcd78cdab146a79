/**
 * Golden bytes for the checkpoint format: its canonical serialisation, the hash the next checkpoint
 * chains to, the key id and the Ed25519 signature. The expected values were made with other tools
 * (Python's json and hashlib, and `openssl pkeyutl -sign -rawin` with the key below) and are written
 * here literally; Ed25519 signatures are deterministic, so node:crypto must produce the same bytes.
 */
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/checkpoint/canonical-json.js';
import { checkpointHash, checkpointLine, parseCheckpoint, signedBytes, type Checkpoint } from '../../src/checkpoint/checkpoint.js';
import { keyIdOf, signatureHolds, signBytes } from '../../src/checkpoint/signing-key.js';

// The secret key of RFC 8032's first Ed25519 test vector, as PKCS#8 PEM: a fixed key, not a real one.
const PRIVATE_PEM = '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n-----END PRIVATE KEY-----\n';
const PUBLIC_PEM = '-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\n-----END PUBLIC KEY-----\n';
const KEY_ID = '06e3fd8fda29bb60';

const h = (c: string) => c.repeat(64);
/** Written in an order of its own: the canonical form must not depend on it. */
const CHECKPOINT: Checkpoint = {
  format: 1, seq: 2, at: '2026-11-01T00:00:00.000Z', reason: 'sync',
  environments: { us_env_b: { seq: 3, hash: h('a'), events: 3 }, us_env_a: { seq: 5, hash: h('b'), events: 5 } },
  inventory: { changes: { seq: 7, hash: h('c') }, tables: { users: { rows: 2, digest: h('d') } } },
  schema: { version: 7, digest: h('e') }, prevHash: h('f'), keyId: KEY_ID,
};

const UNSIGNED_BYTES =
  '{"at":"2026-11-01T00:00:00.000Z","environments":{"us_env_a":{"events":5,"hash":"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb","seq":5},' +
  '"us_env_b":{"events":3,"hash":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","seq":3}},"format":1,' +
  '"inventory":{"changes":{"hash":"cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc","seq":7},' +
  '"tables":{"users":{"digest":"dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd","rows":2}}},"keyId":"06e3fd8fda29bb60",' +
  '"prevHash":"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff","reason":"sync",' +
  '"schema":{"digest":"eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee","version":7},"seq":2}';
const SIGNATURE = '8dY3H4asR1xuSfgq5oSA0UyUj+OLFbvBenVKnFprCDEKBFn7M50g9T88fgCDe3eUXEIBzoIcd3M1oNvOge5qDQ==';
/** SHA-256 of the signed line: the next checkpoint's prevHash. */
const HASH = '2d5ae39d1ec918716e53ae7a2c2a71998dfbeaabe5996b102bb9c7038276e770';

describe('the checkpoint format', () => {
  const key = { privateKey: createPrivateKey(PRIVATE_PEM), keyId: KEY_ID };
  const verifyKey = { publicKey: createPublicKey(PUBLIC_PEM), keyId: KEY_ID };

  it('serialises to fixed canonical bytes: keys sorted, no whitespace', () => {
    expect(signedBytes(CHECKPOINT).toString('utf8')).toBe(UNSIGNED_BYTES);
  });

  it('names a key by the first 16 hex digits of SHA-256 of its SPKI', () => {
    expect(keyIdOf(createPublicKey(PRIVATE_PEM))).toBe(KEY_ID);
  });

  it('signs with pure Ed25519 to the bytes openssl makes, and chains by SHA-256 of the signed line', () => {
    const signed = { ...CHECKPOINT, signature: signBytes(signedBytes(CHECKPOINT), key) };
    expect(signed.signature).toBe(SIGNATURE);
    expect(checkpointLine(signed)).toBe(`${UNSIGNED_BYTES.slice(0, -1)},"signature":"${SIGNATURE}"}`);
    expect(checkpointHash(signed)).toBe(HASH);
    expect(signatureHolds(signedBytes(signed), SIGNATURE, verifyKey)).toBe(true);
  });

  it('reads a line back to the same bytes, however it was spaced', () => {
    const line = `${UNSIGNED_BYTES.slice(0, -1)},"signature":"${SIGNATURE}"}`;
    const spaced = JSON.stringify(JSON.parse(line), null, 2).replace(/\n/g, ' ');
    expect(checkpointHash(parseCheckpoint(spaced))).toBe(HASH);
  });

  it('canonical JSON takes only safe integers as numbers', () => {
    expect(canonicalJson({ b: [1, 'x', null, true], a: { d: 0, c: -2 } })).toBe('{"a":{"c":-2,"d":0},"b":[1,"x",null,true]}');
    expect(() => canonicalJson({ a: 1.5 })).toThrow(/safe integers/);
  });
});
