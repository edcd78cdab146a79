/** Helpers for the simulator tests: real HTTP with global fetch against a started simulator. */
import { afterAll, beforeAll } from 'vitest';
import { startSimulator, type RunningSimulator, type SimulatorOptions } from '../../src/simulator/index.js';

export const PAT = 'sk_sim_pat_default';

/** A small account, so every test file runs in well under a second. */
export const SMALL: SimulatorOptions = { account: { eventsPerEnvironment: 200 } };

export interface JsonResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON; `any` because tests poke at arbitrary wire shapes. */
  body: any;
}

/** GET (or another method) `path` under the simulator's base URL and parse the JSON answer. */
export async function call(
  base: string,
  path: string,
  init: { method?: string; token?: string | null; body?: unknown } = {},
): Promise<JsonResponse> {
  const headers: Record<string, string> = { 'x-disable-hooks': 'true' };
  const token = init.token === undefined ? PAT : init.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${base}${path}`, {
    method: init.method ?? 'GET',
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text === '' ? undefined : JSON.parse(text) };
}

/** Starts one simulator for the file (beforeAll) and closes it afterwards; read `.current` in tests. */
export function useSimulator(options: SimulatorOptions = SMALL): { current: RunningSimulator } {
  const holder = {} as { current: RunningSimulator };
  beforeAll(async () => {
    holder.current = await startSimulator(options);
  });
  afterAll(async () => {
    await holder.current?.close();
  });
  return holder;
}

/** Every event of a listing, walking pages until an empty one (a short page is not the end). */
export async function listAllEvents(base: string, query: string, pageSize = 100): Promise<any[]> {
  const all: any[] = [];
  for (let page = 1; ; page++) {
    const res = await call(base, `/events?${query}&pageSize=${pageSize}&pageNumber=${page}`);
    if (res.status !== 200) throw new Error(`events page ${page}: ${res.status} ${JSON.stringify(res.body)}`);
    if (res.body.data.length === 0) return all;
    all.push(...res.body.data);
  }
}
