/**
 * Removes secrets from API objects before anything keeps them. Spaces carry an `accessToken` and
 * a `guestLink` that can embed one; agents carry their code (`source`, `sourceMap`). Beyond the
 * named fields, any key that looks like a credential is dropped at any depth, so a field the API
 * adds tomorrow does not leak into the database, and any value that looks like one (a key, a JWT,
 * a URL's token parameter: mask-secrets.ts) is masked wherever it stands.
 */
import { maskSecrets } from '../mask-secrets.js';

const SECRET_KEY = /(token|secret|password|passwd|api_?key|guestlink|authorization|credentials?)$/i;

/**
 * The JSON text kept for an object: compact, without secret-looking keys or the `dropTopLevel`
 * ones, and with secret-looking values masked.
 */
export function rawJson(value: unknown, dropTopLevel: readonly string[] = []): string {
  // Most objects (every event, so far) hold no key to drop: a plain stringify is then the same
  // text at half the cost of one that calls a replacer for every key.
  if (!hasKeyToDrop(value, dropTopLevel)) return maskJson(JSON.stringify(value));
  return maskJson(JSON.stringify(value, function replacer(this: unknown, key: string, inner: unknown) {
    if (key === '') return inner;
    if (SECRET_KEY.test(key)) return undefined;
    if (dropTopLevel.length > 0 && this === value && dropTopLevel.includes(key)) return undefined;
    return inner;
  }));
}

/**
 * Masks the text, not each string: one scan of the whole JSON, and the markers keep it valid JSON.
 * (JSON.stringify gives undefined for undefined, whatever its type says.)
 */
function maskJson(json: string): string {
  return typeof json === 'string' ? maskSecrets(json) : json;
}

/** Whether the replacer would drop anything; a false alarm only costs the slow path, a miss would leak. */
function hasKeyToDrop(value: unknown, dropTopLevel: readonly string[]): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (dropTopLevel.length > 0 && dropTopLevel.some((key) => Object.hasOwn(value, key))) return true;
  return holdsSecretKey(value);
}

function holdsSecretKey(value: object): boolean {
  if (Array.isArray(value)) {
    for (const item of value) if (typeof item === 'object' && item !== null && holdsSecretKey(item)) return true;
    return false;
  }
  // What toJSON returns is only known by calling it: leave such objects (dates) to the replacer.
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return true;
  // for…in visits every own enumerable key JSON.stringify writes (and inherited ones, which can only cause a false alarm).
  for (const key in value) {
    if (SECRET_KEY.test(key)) return true;
    const inner = (value as Record<string, unknown>)[key];
    if (typeof inner === 'object' && inner !== null && holdsSecretKey(inner)) return true;
  }
  return false;
}
