/**
 * Ed25519 keys for signing checkpoints (node:crypto only): generated as PEM files by `keygen`, the
 * private key named by AUDIT_SIGNING_KEY_FILE, the public key given to `verify --public-key`. A
 * key's id is the first 16 hex digits of SHA-256 of its public key (SPKI DER), so a message can
 * say which key signed what without printing keys.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { ConfigError } from '../errors.js';

export interface SigningKey {
  privateKey: KeyObject;
  keyId: string;
}

export interface VerifyKey {
  publicKey: KeyObject;
  keyId: string;
}

/** A new key pair as PEM text: PKCS#8 private, SPKI public. */
export function generateSigningKeyPair(): { privatePem: string; publicPem: string; keyId: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }) as string,
    keyId: keyIdOf(publicKey),
  };
}

export function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex').slice(0, 16);
}

/** Reads the private key; refuses a file others can read, or a key that is not Ed25519. */
export function loadSigningKey(path: string, setting = 'AUDIT_SIGNING_KEY_FILE'): SigningKey {
  const text = readKeyFile(path, setting);
  // A private key others can read is a key others can sign with: refuse it, as ssh does.
  const mode = statSync(path).mode;
  if ((mode & 0o077) !== 0) throw new ConfigError(`${setting} ${path} is readable by group or others (mode ${(mode & 0o777).toString(8)}); run chmod 600 on it`);
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(text);
  } catch {
    throw new ConfigError(`${setting} ${path} is not a PEM private key; create one with flatfile-audit keygen --out DIR`);
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new ConfigError(`${setting} ${path} is a ${privateKey.asymmetricKeyType} key; checkpoints are signed with Ed25519 (flatfile-audit keygen)`);
  return { privateKey, keyId: keyIdOf(createPublicKey(privateKey)) };
}

/** Reads a public key (the .pub.pem that keygen wrote). */
export function loadVerifyKey(path: string, setting = '--public-key'): VerifyKey {
  const text = readKeyFile(path, setting);
  if (/PRIVATE KEY/.test(text)) throw new ConfigError(`${setting} ${path} holds a private key; give the public one (signing-key.pub.pem)`);
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey(text);
  } catch {
    throw new ConfigError(`${setting} ${path} is not a PEM public key`);
  }
  if (publicKey.asymmetricKeyType !== 'ed25519') throw new ConfigError(`${setting} ${path} is a ${publicKey.asymmetricKeyType} key; checkpoints are signed with Ed25519`);
  return { publicKey, keyId: keyIdOf(publicKey) };
}

/** The Ed25519 signature of `bytes`, base64. */
export function signBytes(bytes: Buffer, key: SigningKey): string {
  return sign(null, bytes, key.privateKey).toString('base64');
}

export function signatureHolds(bytes: Buffer, signature: string, key: VerifyKey): boolean {
  return verify(null, bytes, key.publicKey, Buffer.from(signature, 'base64'));
}

function readKeyFile(path: string, setting: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`${setting} ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`);
  }
}
