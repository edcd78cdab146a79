/**
 * Text from the audit trail is data an outsider wrote (event payloads, user and space names, API
 * error messages), so nothing the CLI prints or the explorer hands out may act on the terminal or
 * the spreadsheet it lands in. Every text output path (table, CSV, status, error lines, the
 * explorer's downloads) goes through this module:
 * - control characters (C0, DEL, C1) and the Unicode bidi overrides and isolates are shown as
 *   escapes (`\x1b`, `\u202e`), so no ESC, BEL or CSI sequence reaches a terminal and no text is
 *   silently reordered (CVE-2021-42574, "Trojan Source"). A backslash is left as it is: `\x1b` in
 *   the output may be four characters of data or one escaped ESC; what matters is that neither acts.
 * - CSV cells are quoted as RFC 4180 says and neutralised as OWASP says (CSV injection).
 * - JSON keeps the data exact but escapes what JSON.stringify lets through raw (DEL, C1, bidi).
 */

/** C0 (tab and newline included), DEL, C1, U+202A–U+202E (embeddings, overrides), U+2066–U+2069 (isolates). */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
/** What JSON.stringify leaves raw of the above (it escapes C0 itself). */
const UNSAFE_IN_JSON = /[\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

const SHORT: Record<string, string> = { '\t': '\\t', '\n': '\\n', '\r': '\\r' };

function escapeOne(char: string): string {
  const short = SHORT[char];
  if (short) return short;
  const code = char.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** The text with every control and bidi character shown as an escape; one line, whatever it held. */
export function escapeControl(text: string): string {
  return text.replace(UNSAFE, escapeOne);
}

/** JSON text that parses to the same value, with DEL, C1 and bidi characters written as \u escapes. */
export function terminalSafeJson(json: string): string {
  return json.replace(UNSAFE_IN_JSON, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Characters a spreadsheet reads as the start of a formula (OWASP, "CSV Injection"). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One CSV cell. Numbers are written as they are: a negative amount from SQLite is data, and a
 * spreadsheet reads `-5` as the number −5, not as a formula worth neutralising. Any other value
 * is text: control characters escaped; a formula-looking start prefixed with `'` (the OWASP
 * advice, so `=1+2` and even the text `-5` arrive as text); quoted when it holds `"` or `,`.
 */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  const raw = typeof value === 'string' ? value : displayText(value);
  const text = (FORMULA_START.test(raw) ? "'" : '') + escapeControl(raw);
  return /[",]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A value as plain text: strings as they are, objects and blobs as JSON. */
export function displayText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  // A blob crosses the process boundary as a Uint8Array; show it as SQLite's Buffer would print.
  if (value instanceof Uint8Array) return JSON.stringify(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}
