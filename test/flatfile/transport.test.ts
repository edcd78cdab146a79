/** The HTTP transport against a real node:http server: compressed answers, answers cut short, aborts, size caps. */
import { once } from 'node:events';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { ResponseTooLargeError } from '../../src/errors.js';
import { exchange } from '../../src/flatfile/transport.js';

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function serve(handler: RequestListener): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const DEFAULT_CAP = 64 * 2 ** 20;
const get = (url: string, signal = AbortSignal.timeout(5_000), maxBodyBytes = DEFAULT_CAP) =>
  exchange({ method: 'GET', url, headers: { accept: 'application/json' }, signal, maxBodyBytes });
const BODY = JSON.stringify({ data: Array.from({ length: 50 }, (_v, i) => ({ id: `us_evt_${i}`, topic: 'workbook:updated' })) });

describe('exchange', () => {
  it.each([
    ['gzip', (text: string) => gzipSync(text)],
    ['br', (text: string) => brotliCompressSync(text)],
    ['identity', (text: string) => Buffer.from(text)],
  ])('reads a %s answer as text, and asks for compression', async (encoding, pack) => {
    let asked = '';
    const url = await serve((req, res) => {
      asked = String(req.headers['accept-encoding']);
      const bytes = pack(BODY);
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': encoding, 'content-length': bytes.length, 'retry-after': '3' });
      res.end(bytes);
    });
    const answer = await get(url);
    expect(asked).toBe('gzip, br');
    expect(answer.status).toBe(200);
    expect(answer.text).toBe(BODY);
    expect(answer.header('Retry-After')).toBe('3');
    expect(answer.header('x-absent')).toBeNull();
  });

  it('rejects an answer cut short by the server', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': BODY.length });
      res.write(BODY.slice(0, 100));
      setTimeout(() => res.socket?.destroy(), 20);
    });
    // Node reports it as "aborted" (ECONNRESET); the transport's own check covers a close without an error.
    await expect(get(url)).rejects.toThrow(/aborted|before the answer was complete/);
  });

  it('rejects at once when its signal aborts while the server has not answered', async () => {
    const url = await serve(() => undefined); // never answers
    const controller = new AbortController();
    const pending = get(url, controller.signal);
    setTimeout(() => controller.abort(), 50);
    const started = Date.now();
    await expect(pending).rejects.toThrow(/abort/i);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('keeps the connection alive between requests', async () => {
    const ports = new Set<number>();
    const url = await serve((req, res) => {
      ports.add(req.socket.remotePort ?? 0);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
    for (let i = 0; i < 5; i += 1) await get(url);
    expect(ports.size).toBe(1);
  });
});

describe('exchange with a size cap', () => {
  const CAP = 1 << 20;
  const capped = (url: string) => get(url, AbortSignal.timeout(30_000), CAP);

  it.each([
    ['gzip', (bytes: Buffer) => gzipSync(bytes)],
    ['br', (bytes: Buffer) => brotliCompressSync(bytes)],
    ['identity', (bytes: Buffer) => bytes],
  ])('accepts a %s answer of exactly the cap and refuses one byte more, counted after decompression', async (encoding, pack) => {
    const url = await serve((req, res) => {
      const size = CAP + (req.url === '/over' ? 1 : 0);
      const bytes = pack(Buffer.alloc(size, 'a'));
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': encoding });
      res.end(bytes);
    });
    expect((await capped(`${url}/exact`)).text.length).toBe(CAP);
    const refused = capped(`${url}/over`);
    await expect(refused).rejects.toBeInstanceOf(ResponseTooLargeError);
    await expect(refused).rejects.toThrow(`GET /over answered more than 1 MiB (counted after decompression) and was refused; raise AUDIT_MAX_RESPONSE_BYTES if such answers are expected`);
  });

  it('refuses on the Content-Length alone, without waiting for the body', async () => {
    let closed: Promise<unknown> | undefined;
    const url = await serve((_req, res) => {
      closed = once(res, 'close');
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(CAP + 1) });
      res.write('{'); // and nothing more: a client that waited for the body would hang here
    });
    await expect(capped(url)).rejects.toBeInstanceOf(ResponseTooLargeError);
    await closed; // the client hung up
  });

  it('cuts an endless answer off once it passes the cap, and hangs up', async () => {
    let sent = 0;
    let closed: Promise<unknown> | undefined;
    const url = await serve((_req, res) => {
      closed = once(res, 'close');
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 'a');
      const pump = (): void => {
        while (!res.destroyed && res.write(chunk)) sent += chunk.length;
        if (!res.destroyed) res.once('drain', pump);
      };
      pump();
    });
    await expect(capped(url)).rejects.toBeInstanceOf(ResponseTooLargeError);
    await closed;
    // The server stopped because the client hung up: far less than an endless stream was sent.
    expect(sent).toBeLessThan(64 * CAP);
  });
});
