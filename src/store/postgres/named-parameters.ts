/**
 * `:name` parameters (the form every dialect's queries are written in, cookbook included) as
 * PostgreSQL's `$1..$n`. Only real parameters are replaced: a `::cast`, and colons inside string
 * literals ('…', E'…', $tag$…$tag$), quoted identifiers and comments are left as they are.
 */
import { AuditError } from '../../errors.js';

export interface PositionalStatement {
  text: string;
  values: string[];
}

const NAME = /[A-Za-z_][A-Za-z0-9_]*/y;
const DOLLAR_TAG = /\$([A-Za-z_][A-Za-z0-9_]*)?\$/y;

export function toPositional(sql: string, params: Readonly<Record<string, string>>): PositionalStatement {
  const numbers = new Map<string, number>();
  const values: string[] = [];
  let out = '';
  let i = 0;
  const copyUntil = (end: number) => {
    out += sql.slice(i, end);
    i = end;
  };
  while (i < sql.length) {
    const c = sql[i]!;
    const next = sql[i + 1];
    if (c === "'") {
      // E'…' strings escape with a backslash; standard ones only by doubling the quote.
      const escapes = i > 0 && /[eE]/.test(sql[i - 1]!) && !/[A-Za-z0-9_]/.test(sql[i - 2] ?? '');
      copyUntil(endOfQuoted(sql, i, "'", escapes));
    } else if (c === '"') {
      copyUntil(endOfQuoted(sql, i, '"', false));
    } else if (c === '-' && next === '-') {
      const end = sql.indexOf('\n', i);
      copyUntil(end < 0 ? sql.length : end + 1);
    } else if (c === '/' && next === '*') {
      copyUntil(endOfBlockComment(sql, i));
    } else if (c === '$' && !/[A-Za-z0-9_]/.test(sql[i - 1] ?? '')) {
      DOLLAR_TAG.lastIndex = i;
      const tag = DOLLAR_TAG.exec(sql);
      if (tag) {
        const close = sql.indexOf(tag[0], i + tag[0].length);
        copyUntil(close < 0 ? sql.length : close + tag[0].length);
      } else copyUntil(i + 1);
    } else if (c === ':' && next === ':') {
      copyUntil(i + 2);
    } else if (c === ':') {
      NAME.lastIndex = i + 1;
      const name = NAME.exec(sql)?.[0];
      if (name === undefined) {
        copyUntil(i + 1);
        continue;
      }
      if (!Object.hasOwn(params, name)) throw new AuditError('QUERY_REFUSED', `query failed: the statement uses the parameter :${name}, which was not given`);
      let n = numbers.get(name);
      if (n === undefined) {
        values.push(params[name]!);
        numbers.set(name, (n = values.length));
      }
      out += `$${n}`;
      i += 1 + name.length;
    } else {
      copyUntil(i + 1);
    }
  }
  return { text: out, values };
}

/** Index just past the closing quote (a doubled quote is part of the literal); the end when unterminated. */
function endOfQuoted(sql: string, start: number, quote: string, backslashEscapes: boolean): number {
  for (let j = start + 1; j < sql.length; j += 1) {
    if (backslashEscapes && sql[j] === '\\') j += 1;
    else if (sql[j] === quote) {
      if (sql[j + 1] === quote) j += 1;
      else return j + 1;
    }
  }
  return sql.length;
}

/** Block comments nest in PostgreSQL. */
function endOfBlockComment(sql: string, start: number): number {
  let depth = 0;
  for (let j = start; j < sql.length - 1; j += 1) {
    if (sql[j] === '/' && sql[j + 1] === '*') {
      depth += 1;
      j += 1;
    } else if (sql[j] === '*' && sql[j + 1] === '/') {
      depth -= 1;
      j += 1;
      if (depth === 0) return j + 1;
    }
  }
  return sql.length;
}
