/**
 * The parent's side of bench/simulator-process.ts: starts it, reads its URL, and drives it through
 * the admin routes (/__simulator/…: ground truth, new events, faults, request counts).
 */
import { spawn } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Faults, SimulatorOptions, SimulatorStats } from '../src/simulator/index.js';

const ENTRY = fileURLToPath(new URL('./simulator-process.js', import.meta.url));

export interface SimulatorHandle {
  /** The API base URL (…/api/v1). */
  url: string;
  events: number;
  startupS: number;
  /** Sorted ids of every event the API shows with includeAcknowledged=true. */
  truthIds(): Promise<string[]>;
  environmentIds(): Promise<string[]>;
  addEvents(environmentId: string, count: number): Promise<string[]>;
  setFaults(change: Partial<Omit<Faults, 'only'>>): Promise<void>;
  stats(): Promise<SimulatorStats>;
  resetStats(): Promise<void>;
  close(): Promise<void>;
}

export async function startSimulatorProcess(options: SimulatorOptions): Promise<SimulatorHandle> {
  const child = spawn(process.execPath, [ENTRY, JSON.stringify(options)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const first = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.once('line', (line) => {
      lines.close();
      resolve(line);
    });
    child.once('exit', (code) => reject(new Error(`the simulator process exited with code ${code} before serving`)));
  });
  const hello = JSON.parse(first) as { url: string; events: number; startupS: number };
  const admin = hello.url.replace(/\/api\/v1$/, '/__simulator');
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const { status, text } = await request(method, `${admin}${path}`, body);
    if (status !== 200) throw new Error(`simulator ${method} ${path} answered ${status}: ${text.slice(0, 200)}`);
    return JSON.parse(text) as T;
  };
  return {
    ...hello,
    truthIds: () => call<string[]>('GET', '/truth/ids'),
    environmentIds: async () => Object.keys((await call<{ environments: Record<string, number> }>('GET', '/truth')).environments),
    addEvents: (environmentId, count) => call<string[]>('POST', '/events', { environmentId, count }),
    setFaults: async (change) => {
      await call('POST', '/faults', change);
    },
    stats: () => call<SimulatorStats>('GET', '/stats'),
    resetStats: async () => {
      await call('POST', '/stats/reset');
    },
    close: async () => {
      child.stdin.end();
      await exited;
    },
  };
}

/**
 * One admin call on a connection of its own: the bench blocks its event loop for seconds while
 * it writes, and a kept-alive socket the server closed meanwhile would fail the next call.
 */
function request(method: string, url: string, body: unknown): Promise<{ status: number; text: string }> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, agent: false, headers: payload === undefined ? {} : { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}
