/**
 * One HTTP exchange, over node:http or node:https with kept-alive connections. Not fetch: undici's
 * fetch spends a large share of a backfill's CPU on its Headers, streams and signal plumbing.
 * Compressed answers (gzip, br) are asked for and unpacked here, as they stream, and no answer may
 * grow past `maxBodyBytes` once unpacked: a hostile or broken server cannot exhaust our memory.
 * A proxy (proxy-settings.ts) is reached with CONNECT for https targets and with absolute-URI
 * requests for http ones.
 */
import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip } from 'node:zlib';
import { ResponseTooLargeError } from '../errors.js';
import { NO_PROXY_SETTINGS, proxyAuthorization, proxyFor, type ProxySettings } from '../proxy-settings.js';
import { TunnelAgent } from './tunnel-agent.js';

export interface HttpExchange {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string | undefined;
  signal: AbortSignal;
  /** The largest answer accepted, counted after decompression; a larger one is cut off. */
  maxBodyBytes: number;
  /** Proxies from the environment; none when absent. */
  proxy?: ProxySettings | undefined;
}

export interface HttpAnswer {
  status: number;
  /** A response header, or null when absent. */
  header(name: string): string | null;
  text: string;
}

// Idle connections are closed after 4 s, before a server or load balancer drops them under a request.
const AGENT_OPTIONS = { keepAlive: true, timeout: 4_000 };
const agents = { http: new HttpAgent(AGENT_OPTIONS), https: new HttpsAgent(AGENT_OPTIONS) };
const tunnels = new Map<string, TunnelAgent>();

/**
 * Sends the request and reads the whole answer; rejects on network failure, abort, an answer cut
 * short, or one larger than `maxBodyBytes` (ResponseTooLargeError).
 */
export function exchange({ method, url, headers, body, signal, maxBodyBytes, proxy = NO_PROXY_SETTINGS }: HttpExchange): Promise<HttpAnswer> {
  const target = new URL(url);
  const route = `${method} ${target.pathname}`;
  return new Promise<HttpAnswer>((resolve, reject) => {
    let settled = false;
    const fail = (error: unknown): void => {
      if (settled) return;
      settled = true;
      request.destroy();
      reject(error);
    };
    const request = send(target, proxy, { method, signal, headers: { 'accept-encoding': 'gzip, br', ...headers } }, (response) => {
      const tooLarge = (): void => fail(new ResponseTooLargeError(route, maxBodyBytes));
      if (Number(response.headers['content-length']) > maxBodyBytes) {
        tooLarge();
        return;
      }
      response.on('error', fail);
      response.on('close', () => {
        if (!response.complete) fail(new Error('the connection closed before the answer was complete'));
      });
      const body = decoded(response, fail);
      const chunks: Buffer[] = [];
      let size = 0;
      body.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBodyBytes) {
          if (body !== response) body.destroy();
          tooLarge();
          return;
        }
        chunks.push(chunk);
      });
      body.on('end', () => {
        if (settled) return;
        settled = true;
        resolve(answer(response, Buffer.concat(chunks, size)));
      });
    });
    request.on('error', fail);
    request.end(body);
  });
}

/** Starts the request straight, through a CONNECT tunnel, or as an absolute-URI request to an http proxy. */
function send(target: URL, settings: ProxySettings, options: RequestOptions, onResponse: (response: IncomingMessage) => void): ClientRequest {
  const proxy = proxyFor(target, settings);
  if (target.protocol === 'https:') {
    return httpsRequest(target, { ...options, agent: proxy === undefined ? agents.https : tunnelAgent(proxy) }, onResponse);
  }
  if (proxy === undefined) return httpRequest(target, { ...options, agent: agents.http }, onResponse);
  const authorization = proxyAuthorization(proxy);
  return httpRequest(
    {
      ...options,
      agent: agents.http,
      host: proxy.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: proxy.port || 80,
      path: target.href,
      headers: { ...(options.headers as Record<string, string>), host: target.host, ...(authorization === undefined ? {} : { 'proxy-authorization': authorization }) },
    },
    onResponse,
  );
}

function tunnelAgent(proxy: URL): TunnelAgent {
  let agent = tunnels.get(proxy.href);
  if (agent === undefined) {
    agent = new TunnelAgent(proxy, AGENT_OPTIONS);
    tunnels.set(proxy.href, agent);
  }
  return agent;
}

/** The answer's bytes as they come off the wire, unpacked when compressed. */
function decoded(response: IncomingMessage, fail: (error: unknown) => void): Readable {
  const encoding = String(response.headers['content-encoding'] ?? '').trim().toLowerCase();
  const decoder = encoding === 'gzip' ? createGunzip() : encoding === 'br' ? createBrotliDecompress() : undefined;
  if (decoder === undefined) return response;
  decoder.on('error', fail);
  response.pipe(decoder);
  return decoder;
}

function answer(response: IncomingMessage, bytes: Buffer): HttpAnswer {
  return {
    status: response.statusCode ?? 0,
    header: (name) => {
      const value = response.headers[name.toLowerCase()];
      return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
    },
    text: bytes.toString('utf8'),
  };
}
