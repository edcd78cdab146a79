/**
 * Masks secrets by their look, wherever they stand in a text: Flatfile keys and tokens (`sk_…`,
 * `pk_…`, `pat_…`, also with an environment part like `sk_test_…`), JWTs, bearer credentials, and
 * secret-bearing query parameters of URLs (`?token=…`, `&access_token=…`, `&key=…`, signatures).
 * Key names catch the secrets we know of (scrub.ts, pino redaction); this catches the ones that
 * arrive inside an event payload, an error message or a URL. Used on stored raw JSON and on every
 * log line. Ids such as `us_evt_…` or `us_pat_…` are not secrets and stay.
 *
 * Markers hold no quote or backslash, so masking JSON text leaves valid JSON.
 */

// One pass of one expression: texts are mostly clean, and every extra pass is another scan of
// every event. Alternatives, in order:
// 1. a Flatfile key: its prefix and at least 8 more characters, one a digit. Real keys are random,
//    while words like `pk_not_unique` or `sk_your_key_here` (documentation placeholders) stay.
// 2. a JWT: header.payload.signature, base64url, the header of every JWT starting `{"` = `eyJ`.
// 3. a bearer credential after the word Bearer.
// These three start a word. 4. a query parameter whose name says secret; its value stops where a
// URL, a JSON string or a sentence would end it.
const WORD_SECRETS = String.raw`(?:(sk|pk|pat)_(?=[\w-]*\d)[\w-]{8,}|(eyJ)[\w-]+\.[\w-]+\.[\w-]*|(bearer\s+)[\w.~+/-]{8,}=*)`;
const SECRET_PARAM = String.raw`([?&;][\w.-]*(?:token|key|secret|passwd|password|signature|sig|credentials?)=)[^&#\s"'\\<>]+`;
const AT_WORD_START = new RegExp(String.raw`()\b${WORD_SECRETS}|${SECRET_PARAM}`, 'gi');
// In JSON text a word can also start right after an escape (`\n`, `\u001b`), where \b sees none.
// Slower to run, so kept for texts that hold a backslash at all.
const AFTER_ESCAPES = new RegExp(String.raw`(^|[^\w\\]|\\[nrtbf]|\\u[\da-f]{4})${WORD_SECRETS}|${SECRET_PARAM}`, 'gi');

const KEY_MARKERS: Readonly<Record<string, string>> = {
  sk: '[redacted secret key]',
  pk: '[redacted publishable key]',
  pat: '[redacted personal access token]',
};

/** `text` with every secret-looking part replaced by a marker naming what was removed. */
export function maskSecrets(text: string): string {
  const pattern = text.includes('\\') ? AFTER_ESCAPES : AT_WORD_START;
  return text.replace(pattern, (match: string, lead?: string, key?: string, jwt?: string, bearer?: string, param?: string) => {
    // The expression ignores case for parameter names and "Bearer"; keys and JWTs are case-exact
    // (`SK_…` or `EYJ…` are left as found).
    if (key !== undefined) {
      const marker = KEY_MARKERS[key];
      return marker === undefined ? match : `${lead}${marker}`;
    }
    if (jwt !== undefined) return jwt === 'eyJ' ? `${lead}[redacted JWT]` : match;
    if (bearer !== undefined) return `${lead}${bearer}[redacted]`;
    return `${param}[redacted]`;
  });
}
