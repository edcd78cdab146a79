/**
 * Who may open the queue dashboard. Bull Board can retry, promote and delete jobs, so: with a
 * password configured it asks for it (basic auth with any user name, or `Authorization: Bearer`)
 * and allows those actions; without one it is read-only, and only served on a loopback address.
 */
import { timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';

export interface DashboardAccess {
  /** Serve the dashboard at all. */
  enabled: boolean;
  readOnly: boolean;
  guard: RequestHandler;
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export function dashboardAccess(host: string, password: string | undefined): DashboardAccess {
  if (password) return { enabled: true, readOnly: false, guard: requirePassword(password) };
  if (isLoopback(host)) return { enabled: true, readOnly: true, guard: (_req, _res, next) => next() };
  return {
    enabled: false,
    readOnly: true,
    guard: (_req, res) => {
      res.status(403).type('text/plain').send('The queue dashboard is off: this port listens beyond this machine, so set AUDIT_DASHBOARD_PASSWORD to turn it on.\n');
    },
  };
}

function requirePassword(password: string): RequestHandler {
  const expected = Buffer.from(password);
  const matches = (given: string | undefined) => {
    if (given === undefined) return false;
    const buffer = Buffer.from(given);
    return buffer.length === expected.length && timingSafeEqual(buffer, expected);
  };
  return (req, res, next) => {
    const header = req.headers.authorization ?? '';
    const [scheme, value] = header.split(' ', 2);
    let given: string | undefined;
    if (scheme?.toLowerCase() === 'bearer') given = value;
    if (scheme?.toLowerCase() === 'basic' && value) {
      const decoded = Buffer.from(value, 'base64').toString('utf8');
      given = decoded.slice(decoded.indexOf(':') + 1);
    }
    if (matches(given)) return next();
    res.status(401).set('WWW-Authenticate', 'Basic realm="flatfile-audit", charset="UTF-8"').type('text/plain').send('Password required (AUDIT_DASHBOARD_PASSWORD).\n');
  };
}
