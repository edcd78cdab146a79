/**
 * Who may open the queue dashboard. Bull Board can retry, promote and delete jobs, so: with a
 * password configured it asks for it (basic auth with any user name, or `Authorization: Bearer`),
 * slows down guessing (login-limiter.ts) and allows those actions; without one it is read-only,
 * and only served on a loopback address.
 */
import { isLoopbackHost } from '../host-name.js';
import { timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { createLoginLimiter, type LoginLimiter } from './login-limiter.js';

export interface DashboardAccess {
  /** Serve the dashboard at all. */
  enabled: boolean;
  readOnly: boolean;
  guard: RequestHandler;
}

export function dashboardAccess(host: string, password: string | undefined, limiter: LoginLimiter = createLoginLimiter()): DashboardAccess {
  if (password) return { enabled: true, readOnly: false, guard: requirePassword(password, limiter) };
  if (isLoopbackHost(host)) return { enabled: true, readOnly: true, guard: readOnly };
  return {
    enabled: false,
    readOnly: true,
    guard: (_req, res) => {
      res.status(403).type('text/plain').send('The queue dashboard is off: this port listens beyond this machine, so set AUDIT_DASHBOARD_PASSWORD to turn it on.\n');
    },
  };
}

/**
 * Bull Board's own read-only mode refuses each queue's actions, but it is one flag deep inside a
 * dependency (its "pause all" answers 200 and skips read-only queues); this refuses every request
 * that is not a read, whatever route a later version adds.
 */
const readOnly: RequestHandler = (req, res, next) => {
  if (req.method === 'GET' || req.method === 'HEAD') return next();
  res.status(405).set('Allow', 'GET, HEAD').type('text/plain').send('The queue dashboard is read-only: set AUDIT_DASHBOARD_PASSWORD to retry, promote or remove jobs.\n');
};

function requirePassword(password: string, limiter: LoginLimiter): RequestHandler {
  const expected = Buffer.from(password);
  const matches = (given: string | undefined) => {
    if (given === undefined) return false;
    const buffer = Buffer.from(given);
    return buffer.length === expected.length && timingSafeEqual(buffer, expected);
  };
  return (req, res, next) => {
    // The socket's address, not X-Forwarded-For: a header would let a guesser pick a fresh address per try.
    const client = req.socket.remoteAddress ?? 'unknown';
    const waitS = limiter.retryAfterS(client);
    if (waitS > 0) {
      res.status(429).set('Retry-After', String(waitS)).type('text/plain').send(`Too many wrong passwords from this address; try again in ${waitS} s.\n`);
      return;
    }
    const header = req.headers.authorization ?? '';
    const [scheme, value] = header.split(' ', 2);
    let given: string | undefined;
    if (scheme?.toLowerCase() === 'bearer') given = value;
    if (scheme?.toLowerCase() === 'basic' && value) {
      const decoded = Buffer.from(value, 'base64').toString('utf8');
      given = decoded.slice(decoded.indexOf(':') + 1);
    }
    if (matches(given)) {
      limiter.succeeded(client);
      return next();
    }
    // Only a wrong password counts: a browser's first request carries none, and is answered with the prompt.
    if (given !== undefined) limiter.failed(client);
    res.status(401).set('WWW-Authenticate', 'Basic realm="flatfile-audit", charset="UTF-8"').type('text/plain').send('Password required (AUDIT_DASHBOARD_PASSWORD).\n');
  };
}
