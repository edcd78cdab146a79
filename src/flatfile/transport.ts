/**
 * One HTTP exchange, over node:http or node:https with kept-alive connections. Not fetch: undici's
 * fetch spends about half a millisecond of the event loop per request on its Headers, streams and
 * signal plumbing; with a writer thread and the API's own answers to parse, that was a fifth of a
 * backfill's CPU on two cores. Compressed answers (gzip, br) are asked for and unpacked here.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';

export interface HttpExchange {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string | undefined;
  signal: AbortSignal;
}

export interface HttpAnswer {
  status: number;
  /** A response header, or null when absent. */
  header(name: string): string | null;
  text: string;
}

// Idle connections are closed after 4 s, before a server or load balancer drops them under a request.
const agents = { http: new HttpAgent({ keepAlive: true, timeout: 4_000 }), https: new HttpsAgent({ keepAlive: true, timeout: 4_000 }) };

/** Sends the request and reads the whole answer; rejects on network failure, abort, or an answer cut short. */
export function exchange({ method, url, headers, body, signal }: HttpExchange): Promise<HttpAnswer> {
  const secure = url.startsWith('https:');
  const send = secure ? httpsRequest : httpRequest;
  return new Promise<HttpAnswer>((resolve, reject) => {
    const request = send(
      url,
      { method, signal, agent: secure ? agents.https : agents.http, headers: { 'accept-encoding': 'gzip, br', ...headers } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('close', () => {
          if (!response.complete) reject(new Error('the connection closed before the answer was complete'));
        });
        response.on('end', () => {
          try {
            resolve(answer(response, Buffer.concat(chunks)));
          } catch (error) {
            reject(error);
          }
        });
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

function answer(response: IncomingMessage, raw: Buffer): HttpAnswer {
  const encoding = String(response.headers['content-encoding'] ?? '').trim().toLowerCase();
  const bytes = encoding === 'gzip' ? gunzipSync(raw) : encoding === 'br' ? brotliDecompressSync(raw) : raw;
  return {
    status: response.statusCode ?? 0,
    header: (name) => {
      const value = response.headers[name.toLowerCase()];
      return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
    },
    text: bytes.toString('utf8'),
  };
}
