import { AuditError } from '../../errors.js';

/** SQLSTATEs (or their class, two characters) and Node's socket errors, and what an operator should check. */
const HINTS: Array<[code: string, hint: string]> = [
  ['28P01', 'the server refused the password: check AUDIT_DATABASE_URL, PGPASSWORD or PGPASSFILE'],
  ['28', 'the server refused the login: check the user and pg_hba.conf'],
  ['3D000', 'the database does not exist: create it, or fix the database name in AUDIT_DATABASE_URL'],
  ['42501', 'the role lacks a privilege: it must own the schema (or be granted CREATE on it and the database)'],
  ['25006', 'the server is read-only (a standby?): point AUDIT_DATABASE_URL at the primary'],
  ['57014', 'a statement ran past AUDIT_DATABASE_STATEMENT_TIMEOUT (a lock held by another session, or an overloaded server)'],
  ['57P', 'the server shut down or restarted: the write was not committed and runs again next time'],
  ['53100', 'the server\'s disk is full'],
  ['53300', 'the server has no connection left: lower AUDIT_DATABASE_POOL_SIZE or raise max_connections'],
  ['53', 'the server is out of resources'],
  ['08', 'the connection to the server failed'],
  ['ECONNREFUSED', 'nothing listens there: is the server running, and are host and port right?'],
  ['ENOTFOUND', 'the host name does not resolve'],
  ['ETIMEDOUT', 'the server did not answer in time'],
  ['ECONNRESET', 'the connection was reset'],
];

/**
 * A failed database operation as one line naming the target (never its password), the server's
 * message and code, and what to check.
 */
export function storeFailure(target: string, error: unknown): AuditError {
  if (error instanceof AuditError) return error;
  const code = String((error as { code?: unknown }).code ?? '');
  const hint = code ? HINTS.find(([prefix]) => code.startsWith(prefix))?.[1] : undefined;
  const message = messageOf(error);
  return new AuditError('STORE_FAILED', `cannot use the audit database ${target}: ${message}${code ? ` (${code})` : ''}${hint ? `; ${hint}` : ''}`, { cause: error });
}

/** The message, or for a connection tried on several addresses (an AggregateError without one) the first attempt's. */
function messageOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error.message) return error.message;
  const first = error instanceof AggregateError ? error.errors[0] : undefined;
  return first instanceof Error && first.message ? first.message : error.name;
}
