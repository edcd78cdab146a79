/** The PostgreSQL settings, checked once at start, and the values the store converts on their way in and out. */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { ConfigError } from '../../../src/errors.js';
import { describeTarget, poolSettings, postgresTarget } from '../../../src/store/postgres/connection-settings.js';
import { storableJson, storableJsonChecked, storableText } from '../../../src/store/postgres/storable-text.js';
import { fromTimestamptz, isoMillis } from '../../../src/store/postgres/timestamps.js';

const refusal = (env: Record<string, string>): string => {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('accepted');
};

describe('AUDIT_DATABASE_URL and its companions', () => {
  it('are off by default, and take their defaults when the URL is set', () => {
    expect(loadConfig({}).postgres).toBeUndefined();
    expect(loadConfig({ AUDIT_DATABASE_URL: 'postgresql://audit@db.internal/audit' }).postgres).toEqual({
      url: 'postgresql://audit@db.internal/audit', schema: 'public', poolSize: 8, statementTimeoutMs: 60_000,
    });
    expect(loadConfig({ AUDIT_DATABASE_URL: 'postgres://', AUDIT_DATABASE_SCHEMA: 'flatfile_audit', AUDIT_DATABASE_POOL_SIZE: '12', AUDIT_DATABASE_STATEMENT_TIMEOUT: '5m' }).postgres).toMatchObject({
      schema: 'flatfile_audit', poolSize: 12, statementTimeoutMs: 300_000,
    });
  });

  it.each([
    [{ AUDIT_DATABASE_SCHEMA: 'audit' }, 'AUDIT_DATABASE_SCHEMA needs AUDIT_DATABASE_URL: without it the SQLite file at AUDIT_DB is used'],
    [{ AUDIT_DATABASE_URL: 'postgres://h/d', AUDIT_DATABASE_SCHEMA: 'Audit' }, 'AUDIT_DATABASE_SCHEMA must be a lower-case SQL identifier (a-z, 0-9 and _, not starting with a digit, at most 63 characters), got "Audit"'],
    [{ AUDIT_DATABASE_URL: 'postgres://h/d', AUDIT_DATABASE_SCHEMA: 'a"; DROP SCHEMA public; --' }, /must be a lower-case SQL identifier/],
    [{ AUDIT_DATABASE_URL: 'postgres://h/d', AUDIT_DATABASE_SCHEMA: '1st' }, /must be a lower-case SQL identifier/],
    [{ AUDIT_DATABASE_URL: 'postgres://h/d', AUDIT_DATABASE_POOL_SIZE: '0' }, 'AUDIT_DATABASE_POOL_SIZE must be a whole number from 1 to 100, got "0"'],
    [{ AUDIT_DATABASE_URL: 'postgres://h/d', AUDIT_DATABASE_STATEMENT_TIMEOUT: '10ms' }, /AUDIT_DATABASE_STATEMENT_TIMEOUT must be a duration/],
    [{ AUDIT_DATABASE_URL: 'https://u:secret@h/d' }, 'AUDIT_DATABASE_URL must start with postgres:// or postgresql:// (value not shown: it may hold a password), got a https: URL'],
  ])('refuse %j with one line', (env, message) => {
    const text = refusal(env as Record<string, string>);
    if (typeof message === 'string') expect(text).toBe(message);
    else expect(text).toMatch(message);
    expect(text).not.toContain('secret');
  });
});

describe('the connection settings', () => {
  const settings = { url: 'postgres://audit:s3cret@db.internal:6543/audit_db?sslmode=disable&options=-c%20work_mem%3D8MB', schema: 'audit', poolSize: 3, statementTimeoutMs: 20_000 };

  it('take the URL\'s parts first, then the libpq variables, then libpq\'s defaults', () => {
    expect(postgresTarget(settings, { PGHOST: 'elsewhere', PGUSER: 'other' })).toEqual({ user: 'audit', host: 'db.internal', port: 6543, database: 'audit_db', schema: 'audit' });
    expect(postgresTarget({ ...settings, url: 'postgres://' }, { PGHOST: '/run/postgresql', PGPORT: '5433', PGUSER: 'svc', PGDATABASE: 'x' })).toEqual({ user: 'svc', host: '/run/postgresql', port: 5433, database: 'x', schema: 'audit' });
    expect(postgresTarget({ ...settings, url: 'postgres:///db' }, { USER: 'me' })).toEqual({ user: 'me', host: 'localhost', port: 5432, database: 'db', schema: 'audit' });
  });

  it('are described without the password', () => {
    expect(describeTarget(postgresTarget(settings, {}))).toBe('postgres://audit@db.internal:6543/audit_db (schema audit)');
    expect(describeTarget(postgresTarget({ ...settings, url: 'postgres://' }, { PGHOST: '/run/postgresql', PGUSER: 'svc' }))).toBe('postgres://svc@[socket /run/postgresql]:5432/svc (schema audit)');
  });

  it('set the schema, UTC and the timeouts on every connection, keep the URL\'s own options and TLS mode, and bound the pool', () => {
    const pool = poolSettings(settings, {});
    expect(pool).toMatchObject({
      host: 'db.internal', port: 6543, user: 'audit', password: 's3cret', database: 'audit_db', ssl: false, max: 3,
      options: '-c work_mem=8MB -c search_path=audit -c TimeZone=UTC -c DateStyle=ISO',
      statement_timeout: 20_000, idle_in_transaction_session_timeout: 20_000, application_name: 'flatfile-audit', allowExitOnIdle: true,
    });
    expect(poolSettings({ ...settings, url: 'postgres://h/d' }, { PGPASSWORD: 'from-env' }).password).toBe('from-env');
    expect(poolSettings({ ...settings, url: 'postgres://h/d' }, {}).password).toBeUndefined(); // then the driver reads PGPASSFILE
  });
});

describe('values on their way in and out', () => {
  it.each([
    ['2026-10-01 00:00:01.5+00', '2026-10-01T00:00:01.500Z'],
    ['2026-10-01 00:00:00+00', '2026-10-01T00:00:00.000Z'],
    ['2026-10-01 00:00:00.123999+00', '2026-10-01T00:00:00.123Z'],
    ['2026-10-01 05:30:00.25+05:30', '2026-10-01T00:00:00.250Z'],
    ['2026-01-01 00:00:00-01', '2026-01-01T01:00:00.000Z'],
    ['infinity', 'infinity'],
  ])('a timestamptz printed %s reads as %s', (text, iso) => {
    expect(fromTimestamptz(text)).toBe(iso);
  });

  it('times go in as ISO UTC with milliseconds', () => {
    expect(isoMillis('2026-10-01T00:00:00.000Z')).toBe('2026-10-01T00:00:00.000Z');
    expect(isoMillis('2026-10-01T02:00:00+02:00')).toBe('2026-10-01T00:00:00.000Z');
    expect(isoMillis('not a time')).toBe('not a time');
  });

  it('texts lose only what PostgreSQL cannot hold, and keep surrogate pairs', () => {
    expect(storableText('plain ✓ 😀')).toBe('plain ✓ 😀');
    expect(storableText('a\u0000b\ud800c\udfffd\ud83d\ude00')).toBe('a\ufffdb\ufffdc\ufffdd\ud83d\ude00');
    expect(storableJson('{"a":"x","b":[1,2.50,{"c":null}]}')).toBeNull();
    expect(storableJson(JSON.stringify({ 'k\u0000': ['\ud800', '\ud83d\ude00'], n: 1 }))).toBe(JSON.stringify({ 'k\ufffd': ['\ufffd', '\ud83d\ude00'], n: 1 }));
    // A "__proto__" key stays a key.
    expect(storableJson('{"__proto__":"\\u0000"}')).toBe('{"__proto__":"\ufffd"}');
    // An escaped backslash before "u0000" is no escape of NUL: kept as it is.
    expect(JSON.parse(storableJsonChecked(JSON.stringify({ a: '\\u0000' })))).toEqual({ a: '\\u0000' });
    expect(storableJsonChecked('not json')).toBe('"not json"');
  });
});
