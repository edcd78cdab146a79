/** What the CLI prints of stored text: no control or bidi character raw, CSV that no spreadsheet runs, JSON still exact. */
import { describe, expect, it } from 'vitest';
import { formatRows } from '../../src/output/format.js';
import { csvField, escapeControl, terminalSafeJson } from '../../src/output/safe-text.js';

/** Every character a terminal or a bidi renderer acts on, by the ranges the module promises. */
const UNSAFE_CODES = [
  ...Array.from({ length: 0x20 }, (_, i) => i),
  ...Array.from({ length: 0x21 }, (_, i) => 0x7f + i),
  0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069,
];
const RAW_UNSAFE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

describe('escapeControl', () => {
  it.each([
    ['ESC and BEL (a title-setting sequence)', '\u001b]0;pwned\u0007', '\\x1b]0;pwned\\x07'],
    ['a colour', '\u001b[31mred\u001b[0m', '\\x1b[31mred\\x1b[0m'],
    ['newline, tab and carriage return', 'a\nb\tc\rd', 'a\\nb\\tc\\rd'],
    ['NUL and DEL', '\u0000x\u007f', '\\x00x\\x7f'],
    ['C1 CSI', '\u009b31m', '\\x9b31m'],
    ['a right-to-left override', 'user\u202Etxt.exe', 'user\\u202etxt.exe'],
    ['an isolate', '\u2066x\u2069', '\\u2066x\\u2069'],
    ['plain text, accents and emoji', 'Zoë, 東京 👍', 'Zoë, 東京 👍'],
  ])('shows %s escaped', (_name, input, expected) => {
    expect(escapeControl(input)).toBe(expected);
  });

  it('leaves no unsafe character raw', () => {
    const all = String.fromCodePoint(...UNSAFE_CODES);
    const escaped = escapeControl(all);
    expect(escaped).not.toMatch(RAW_UNSAFE);
    expect(escaped.match(/\\(x[0-9a-f]{2}|u[0-9a-f]{4}|[tnr])/g)).toHaveLength(UNSAFE_CODES.length);
  });
});

describe('csvField', () => {
  it.each([
    ['a formula', '=1+2', "'=1+2"],
    ['a HYPERLINK formula with a comma', '=HYPERLINK("http://x.example","click")', `"'=HYPERLINK(""http://x.example"",""click"")"`],
    ['a plus', '+1', "'+1"],
    ['a minus in text', '-5', "'-5"],
    ['an at sign', '@SUM(A1)', "'@SUM(A1)"],
    ['a leading tab', '\t=1', "'\\t=1"],
    ['a leading carriage return', '\r=1', "'\\r=1"],
    ['a quote and a comma', 'a,"b"', '"a,""b"""'],
    ['a newline inside', 'line1\nline2', 'line1\\nline2'],
    ['plain text', 'hello', 'hello'],
    ['an e-mail address', 'ann@example.com', 'ann@example.com'],
  ])('writes %s safely', (_name, input, expected) => {
    expect(csvField(input)).toBe(expected);
  });

  it('writes numbers as numbers: a negative amount is data, not a formula', () => {
    expect(csvField(-5)).toBe('-5');
    expect(csvField(-0.25)).toBe('-0.25');
    expect(csvField(42)).toBe('42');
  });

  it('writes NULL as an empty cell and objects as JSON text', () => {
    expect(csvField(null)).toBe('');
    expect(csvField({ a: 1 })).toBe('"{""a"":1}"');
  });
});

describe('terminalSafeJson', () => {
  it('escapes what JSON.stringify leaves raw, and parses back to the same value', () => {
    const value = { name: 'a\u007fb\u009bc\u202Ed\u2066e', esc: '\u001b[2J', n: -5 };
    const json = terminalSafeJson(JSON.stringify(value, null, 2));
    expect(json).not.toMatch(/[\u007f-\u009f\u202a-\u202e\u2066-\u2069\u001b]/);
    expect(JSON.parse(json)).toEqual(value);
  });
});

describe('formatRows', () => {
  const rows = [{ text: '\u001b]0;x\u0007=cmd', formula: '=1+2', amount: -5, note: 'multi\nline' }];

  it.each(['table', 'csv', 'json'] as const)('%s output holds no raw control or bidi character', (format) => {
    const out = formatRows([{ ...rows[0], bidi: '\u202Eevil' }], format);
    // The newlines that end lines are the format's own; none comes from the data.
    for (const line of out.split('\n')) expect(line).not.toMatch(RAW_UNSAFE);
  });

  it('CSV neutralises text cells only, and keeps one record per line', () => {
    expect(formatRows(rows, 'csv')).toBe("text,formula,amount,note\n\\x1b]0;x\\x07=cmd,'=1+2,-5,multi\\nline\n");
  });
});
