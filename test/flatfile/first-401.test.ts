/**
 * A 401 before the API has answered anything is as likely a token of another region's account as a
 * bad token, so it names the region asked; a 401 after answers (a revocation mid-run) does not.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../src/config.js';
import { TokenRejectedError } from '../../src/errors.js';
import type { ApiEndpoint } from '../../src/flatfile/api-url.js';
import { connectFlatfile } from '../../src/flatfile/connect.js';
import { createLogger } from '../../src/log.js';
import { simulator, TEST_PAT } from '../helpers/simulator.js';
import { LogSink } from '../helpers/sync.js';

/**
 * The config a user with FLATFILE_REGION=eu gets, except that requests go to the simulator: there is
 * no DNS here to make platform.eu.flatfile.com reach it.
 */
function euConfigServedBy(url: string, env: Record<string, string>): Config {
  const config = loadConfig({ FLATFILE_API_URL: url, LOG_LEVEL: 'silent', ...env });
  const eu: ApiEndpoint = { ...config.api, region: 'eu', from: 'FLATFILE_REGION' };
  return { ...config, api: eu };
}

async function rejection(config: Config, calls: (get: (path: string, query?: Record<string, string>) => Promise<unknown>) => Promise<void>): Promise<TokenRejectedError> {
  const http = await connectFlatfile(config, createLogger({ level: 'silent', destination: new LogSink() }));
  try {
    await calls((path, query = {}) => http.get(path, query));
  } catch (error) {
    expect(error).toBeInstanceOf(TokenRejectedError);
    return error as TokenRejectedError;
  }
  throw new Error('no call was rejected');
}

describe('a rejected token', () => {
  it('on the first call: names the region in use and suggests checking it', async () => {
    const { url } = await simulator({ account: { environments: 1, eventsPerEnvironment: 1 } });
    const config = euConfigServedBy(url, { FLATFILE_BEARER_TOKEN: 'sk_us_account_token' });
    const error = await rejection(config, async (get) => {
      await get('/environments');
    });
    expect(error.status).toBe(401);
    const base = config.api.base;
    expect(error.message).toBe(
      `Flatfile rejected the token (HTTP 401: invalid token); the region in use is eu (${base}, from FLATFILE_REGION): if the account lives in another region, set FLATFILE_REGION to it (us, uk, au, ca); otherwise create a new Personal Access Token and set FLATFILE_BEARER_TOKEN`,
    );
  });

  it('after the API has answered: no region advice, the token itself was refused', async () => {
    const { url, sim } = await simulator({ account: { environments: 1, eventsPerEnvironment: 1 } });
    const config = euConfigServedBy(url, { FLATFILE_TOKEN: TEST_PAT });
    const error = await rejection(config, async (get) => {
      await get('/environments');
      sim.revokeToken(TEST_PAT);
      await get('/users');
    });
    expect(error.message).toMatch(/^Flatfile rejected the token \(HTTP 401: [^)]*\); create a new Personal Access Token and set FLATFILE_TOKEN$/);
  });
});
