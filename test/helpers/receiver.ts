/**
 * A local forwarding receiver (a SIEM's HTTP input) for tests: every POST is recorded, and a script
 * decides each answer: a status (with headers), or a stall (never answered: the sender times out).
 * It can be stopped and started again on the same port (a receiver restart), dropping open sockets.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { onTestFinished } from 'vitest';

export type Answer = { status: number; headers?: Record<string, string> } | 'stall';

export interface ReceivedRequest {
  headers: IncomingMessage['headers'];
  body: string;
  /** What it was answered (undefined for a stall). */
  status: number | undefined;
  /** When the answer was sent (Date.now()). */
  at: number;
}

export class Receiver {
  readonly requests: ReceivedRequest[] = [];
  /** Answers for the next requests, in order; when empty, 200. */
  readonly script: Answer[] = [];
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  port = 0;

  /** Bodies of the requests answered 2xx. */
  get acknowledged(): string[] {
    return this.requests.filter((r) => r.status !== undefined && r.status >= 200 && r.status < 300).map((r) => r.body);
  }

  /** Bodies of the requests answered 2xx up to `time`. */
  acknowledgedBy(time: number): string[] {
    return this.requests.filter((r) => r.status !== undefined && r.status >= 200 && r.status < 300 && r.at <= time).map((r) => r.body);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/in`;
  }

  async start(): Promise<void> {
    const server = createServer((request, response) => void this.handle(request, response));
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Closes the server and every connection (stalled requests included). */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    let body = '';
    for await (const chunk of request) body += chunk;
    const answer = this.script.shift() ?? { status: 200 };
    if (answer === 'stall') {
      this.requests.push({ headers: request.headers, body, status: undefined, at: Date.now() });
      return;
    }
    this.requests.push({ headers: request.headers, body, status: answer.status, at: Date.now() });
    response.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
    response.end(answer.status < 300 ? '{"text":"Success","code":0}' : '{"text":"no"}');
  }
}

/** A started receiver, stopped when the test ends. */
export async function receiver(): Promise<Receiver> {
  const r = new Receiver();
  await r.start();
  onTestFinished(() => r.stop());
  return r;
}
