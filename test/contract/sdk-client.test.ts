/**
 * Flatfile's official SDK (@flatfile/api) against the simulator, configured only by the variables
 * `flatfile-audit simulator` prints, read the way the SDK reads them (FLATFILE_API_URL without the
 * version, to which it adds /v1; FLATFILE_BEARER_TOKEN, or its alias FLATFILE_API_KEY).
 */
import { FlatfileClient } from '@flatfile/api';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { startSimulatorProcess, type SimulatorProcess } from '../helpers/simulator-cli.js';

/**
 * The SDK (1.23.x) sends `Keep-Alive: timeout=200` on every call, which Node's fetch (undici)
 * refuses ("invalid keep-alive header"). Its fetcher skips headers whose value is undefined, and a
 * request's own `headers` are merged last, so this drops the header without touching the SDK.
 * (Its client options take a `fetcher`, but the exported FlatfileClient does not pass it on.)
 */
const WITHOUT_KEEP_ALIVE = { headers: { 'Keep-Alive': undefined as unknown as string } };

let simulator: SimulatorProcess;

beforeAll(async () => {
  simulator = await startSimulatorProcess(['--environments', '2', '--events', '120', '--token', 'sk_sdk_contract_token']);
});
afterAll(() => simulator.stop());

beforeEach(() => {
  // Only what the simulator printed: nothing the developer's shell may carry.
  for (const name of ['FLATFILE_API_URL', 'AGENT_INTERNAL_URL', 'FLATFILE_BEARER_TOKEN', 'FLATFILE_API_KEY']) vi.stubEnv(name, undefined);
  return () => vi.unstubAllEnvs();
});

async function truth<T>(path: string): Promise<T> {
  const response = await fetch(`${simulator.origin}/__simulator${path}`);
  expect(response.status).toBe(200);
  return (await response.json()) as T;
}

/** Every event of an environment through the SDK, page by page until an empty page. */
async function allEventIds(client: FlatfileClient, environmentId: string): Promise<string[]> {
  const ids: string[] = [];
  for (let pageNumber = 1; ; pageNumber += 1) {
    const page = await client.events.list({ environmentId, includeAcknowledged: true, pageSize: 50, pageNumber }, WITHOUT_KEEP_ALIVE);
    if (page.data.length === 0) return ids.sort();
    ids.push(...page.data.map((event) => event.id));
  }
}

describe('the official SDK with the variables the simulator prints', () => {
  it("prints FLATFILE_API_URL in Flatfile's form and the token as FLATFILE_BEARER_TOKEN", () => {
    expect(simulator.printed).toEqual({ FLATFILE_API_URL: `${simulator.origin}/api`, FLATFILE_BEARER_TOKEN: 'sk_sdk_contract_token' });
  });

  it('lists environments and every event, exactly as the simulator holds them', async () => {
    vi.stubEnv('FLATFILE_API_URL', simulator.printed.FLATFILE_API_URL);
    vi.stubEnv('FLATFILE_BEARER_TOKEN', simulator.printed.FLATFILE_BEARER_TOKEN);
    const client = new FlatfileClient();

    const environments = await client.environments.list({ pageSize: 100 }, WITHOUT_KEEP_ALIVE);
    const expected = await truth<{ environments: Record<string, number>; total: number }>('/truth');
    expect(environments.data.map((e) => e.id).sort()).toEqual(Object.keys(expected.environments).sort());

    for (const environment of environments.data) {
      expect(await allEventIds(client, environment.id)).toEqual(await truth<string[]>(`/truth/ids?environmentId=${environment.id}`));
    }
    expect(expected.total).toBe(240);
  });

  it('takes the token from FLATFILE_API_KEY too, as flatfile-audit does', async () => {
    vi.stubEnv('FLATFILE_API_URL', simulator.printed.FLATFILE_API_URL);
    vi.stubEnv('FLATFILE_API_KEY', simulator.printed.FLATFILE_BEARER_TOKEN);
    const environments = await new FlatfileClient().environments.list({}, WITHOUT_KEEP_ALIVE);
    expect(environments.data.length).toBe(2);
  });

  it('adds /v1 itself: given the URL with the version, it asks for /api/v1/v1/… and fails', async () => {
    vi.stubEnv('FLATFILE_API_URL', `${simulator.printed.FLATFILE_API_URL}/v1`);
    vi.stubEnv('FLATFILE_BEARER_TOKEN', simulator.printed.FLATFILE_BEARER_TOKEN);
    await expect(new FlatfileClient().environments.list({}, WITHOUT_KEEP_ALIVE)).rejects.toMatchObject({ statusCode: 404 });
  });

  it('as shipped, fails on this Node (its Keep-Alive header): the reason for WITHOUT_KEEP_ALIVE', async () => {
    vi.stubEnv('FLATFILE_API_URL', simulator.printed.FLATFILE_API_URL);
    vi.stubEnv('FLATFILE_BEARER_TOKEN', simulator.printed.FLATFILE_BEARER_TOKEN);
    await expect(new FlatfileClient().environments.list({}, { maxRetries: 0 })).rejects.toMatchObject({ message: 'fetch failed' });
    // The SDK drops the cause; Node's fetch with the same header shows it.
    const cause = await fetch(`${simulator.printed.FLATFILE_API_URL}/v1/environments`, { headers: { 'Keep-Alive': 'timeout=200' } }).then(
      () => undefined,
      (thrown: unknown) => (thrown as Error).cause as Error | undefined,
    );
    expect(cause?.message).toBe('invalid keep-alive header');
  });
});
