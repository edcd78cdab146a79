/**
 * POST /auth as the real API has it: the body the official SDK sends, and 400 or 404 meaning the
 * credentials were refused (the API declares both), which must end the CLI with exit 3 and the
 * remedy, like a 401, not be retried or reported as an API failure.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp.js';

interface AuthCall {
  contentType: string | undefined;
  body: unknown;
}

/** Answers every POST /auth with `status` and the API's error shape; records what was sent. */
async function authServer(status: number): Promise<{ url: string; calls: AuthCall[] }> {
  const calls: AuthCall[] = [];
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk) => (text += chunk));
    req.on('end', () => {
      if (req.method === 'POST' && req.url === '/api/v1/auth') calls.push({ contentType: req.headers['content-type'], body: JSON.parse(text) });
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ key: 'credentials', message: 'credentials not accepted' }] }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`, calls };
}

describe('POST /auth', () => {
  it.each([400, 404, 401])('answered %i means the credentials were rejected: exit 3 with the remedy, one request', async (status) => {
    const { url, calls } = await authServer(status);
    const result = await runCli(['sync', '--once'], {
      FLATFILE_API_URL: url,
      FLATFILE_CLIENT_ID: 'client-1234',
      FLATFILE_SECRET: 'secret-value-5678',
      AUDIT_DB: join(tempDir(), 'audit.db'),
      LOG_LEVEL: 'silent',
    });
    expect(result.code, result.stderr).toBe(3);
    // One line: the status, the API's reason, and what to check (the API in use too, on a 401 before any answer).
    expect(result.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(result.stderr).toMatch(new RegExp(`^flatfile-audit: Flatfile rejected the token \\(HTTP ${status}: credentials not accepted\\); .*check FLATFILE_CLIENT_ID and FLATFILE_SECRET, or switch to a Personal Access Token \\(FLATFILE_TOKEN\\)\n$`));
    // The SDK's body, exactly: a union keyed on `type`.
    expect(calls).toEqual([{ contentType: 'application/json', body: { type: 'apiCredentials', clientId: 'client-1234', secret: 'secret-value-5678' } }]);
  });
});
