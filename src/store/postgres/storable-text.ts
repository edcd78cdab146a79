/**
 * What PostgreSQL cannot hold as the API sent it. The API can send `\u0000` and lone UTF-16
 * surrogates (`\ud800`) inside JSON strings: a `text` value cannot hold a NUL character at all, the
 * driver would silently turn a lone surrogate into U+FFFD on its way to UTF-8, and `jsonb` refuses
 * both escapes. So:
 * - text columns (ids, topic, names, …) hold the value with each NUL and lone surrogate replaced by
 *   U+FFFD, and that stored value is what the hash chain covers, so the chain verifies against
 *   what is stored;
 * - `raw_text` holds the payload's JSON text exactly as flatfile-audit kept it (such characters stay
 *   escaped in it, `\u0000`, so it is always storable): the chain covers it, and nothing is lost;
 * - `raw` (jsonb, what queries use) holds the same JSON with each such character, in keys and in
 *   values, replaced by U+FFFD. verify checks that `raw` is `raw_text` made storable this way.
 */

/** A NUL, or a surrogate that is not half of a pair. */
const UNSTORABLE_CHAR = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const UNSTORABLE_CHARS = new RegExp(UNSTORABLE_CHAR.source, 'g');
/** The JSON escape of a NUL or of any surrogate (a pair written as two escapes takes the slow path too, harmlessly). */
const UNSTORABLE_ESCAPE = /\\u(?:0000|d[89a-f][0-9a-f]{2})/i;

const REPLACEMENT = '\ufffd';

/** `value` as a text column can hold it. */
export function storableText(value: string): string {
  return UNSTORABLE_CHAR.test(value) ? value.replace(UNSTORABLE_CHARS, REPLACEMENT) : value;
}

export function storableTextOrNull(value: string | null): string | null {
  return value === null ? null : storableText(value);
}

/**
 * The JSON text for a jsonb column given JSON text `json`: null when `json` can be cast as it is
 * (the usual case: no escape jsonb refuses), else the same JSON with every NUL and lone surrogate
 * replaced. Trusts that `json` is JSON, as every payload the API client keeps is (JSON.stringify's
 * output); see storableJsonChecked for text that may not be.
 */
export function storableJson(json: string): string | null {
  if (!UNSTORABLE_ESCAPE.test(json) && !UNSTORABLE_CHAR.test(json)) return null;
  return storableJsonChecked(json);
}

/** Like storableJson, for text that may not be JSON at all: such text is kept as one JSON string. Never null. */
export function storableJsonChecked(text: string): string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return JSON.stringify(storableText(text));
  }
  return UNSTORABLE_ESCAPE.test(text) || UNSTORABLE_CHAR.test(text) ? JSON.stringify(clean(value)) : text;
}

function clean(value: unknown): unknown {
  if (typeof value === 'string') return storableText(value);
  if (Array.isArray(value)) return value.map(clean);
  if (typeof value === 'object' && value !== null) {
    // fromEntries defines own properties, so a "__proto__" key stays a key.
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [storableText(key), clean(inner)]));
  }
  return value;
}
