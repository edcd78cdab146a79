/**
 * Removes secrets from API objects before anything keeps them. Spaces carry an `accessToken` and
 * a `guestLink` that can embed one; agents carry their `source` code. Beyond the named fields, any
 * key that looks like a credential is dropped at any depth, so a field the API adds tomorrow does
 * not leak into the database.
 */

const SECRET_KEY = /(token|secret|password|passwd|api_?key|guestlink|authorization|credentials?)$/i;

/** The JSON text kept for an object: compact, without secret-looking keys or the `dropTopLevel` ones. */
export function rawJson(value: unknown, dropTopLevel: readonly string[] = []): string {
  return JSON.stringify(value, function replacer(this: unknown, key: string, inner: unknown) {
    if (key === '') return inner;
    if (SECRET_KEY.test(key)) return undefined;
    if (dropTopLevel.length > 0 && this === value && dropTopLevel.includes(key)) return undefined;
    return inner;
  });
}

/** True when `key` names something rawJson would drop; exported for tests and docs. */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}
