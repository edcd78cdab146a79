/**
 * An https agent that reaches its targets through an HTTP proxy's CONNECT tunnel. It is an ordinary
 * kept-alive https.Agent in every other way: the agent pools the TLS sockets it gets back, so one
 * tunnel carries many requests, as a direct connection would.
 */
import { request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, type AgentOptions, type RequestOptions } from 'node:https';
import { isIP } from 'node:net';
import type { Duplex } from 'node:stream';
import { connect as tlsConnect } from 'node:tls';
import { describeProxy, effectivePort, proxyAuthorization } from '../proxy-settings.js';

/** A proxy that neither answers nor fails is given up on after this long. */
const CONNECT_TIMEOUT_MS = 30_000;

export class TunnelAgent extends HttpsAgent {
  private readonly proxyHost: string;
  private readonly proxyPort: number;
  private readonly authorization: string | undefined;
  private readonly label: string;

  constructor(proxy: URL, options: AgentOptions) {
    super(options);
    this.proxyHost = proxy.hostname.replace(/^\[(.*)\]$/, '$1');
    this.proxyPort = effectivePort(proxy);
    this.authorization = proxyAuthorization(proxy);
    this.label = describeProxy(proxy);
  }

  override createConnection(options: RequestOptions, callback?: (error: Error | null, socket: Duplex) => void): Duplex | null | undefined {
    const host = String(options.host ?? 'localhost');
    const port = Number(options.port ?? 443);
    const authority = `${host.includes(':') ? `[${host}]` : host}:${port}`;
    let done = false;
    const finish = (error: Error | null, socket?: Duplex): void => {
      if (done) return;
      done = true;
      callback?.(error, socket as Duplex);
    };
    const headers: Record<string, string> = { host: authority };
    if (this.authorization !== undefined) headers['proxy-authorization'] = this.authorization;
    const connect = httpRequest({ host: this.proxyHost, port: this.proxyPort, method: 'CONNECT', path: authority, headers, agent: false });
    connect.setTimeout(CONNECT_TIMEOUT_MS, () => connect.destroy(new Error(`proxy ${this.label} did not answer CONNECT ${authority} within ${CONNECT_TIMEOUT_MS / 1000} s`)));
    const refused = (status: number | undefined): Error => new Error(`proxy ${this.label} refused CONNECT ${authority} (HTTP ${status})`);
    // Node reports the proxy's answer as 'connect', whatever its status; should a version report a
    // refusal as an ordinary 'response' instead, it ends the same way.
    connect.once('response', (response) => {
      response.resume();
      connect.destroy();
      finish(refused(response.statusCode));
    });
    connect.once('connect', (response, socket, head) => {
      connect.setTimeout(0);
      if (response.statusCode !== 200) {
        socket.destroy();
        finish(refused(response.statusCode));
        return;
      }
      if (head.length > 0) socket.unshift(head);
      const tls = tlsConnect({
        socket,
        host,
        // RFC 6066 allows no IP address as a server name; the certificate is still checked against it.
        ...(isIP(host) === 0 ? { servername: options.servername || host } : {}),
        rejectUnauthorized: options.rejectUnauthorized ?? true,
        ...(options.ca === undefined ? {} : { ca: options.ca }),
        ALPNProtocols: ['http/1.1'],
      });
      finish(null, tls);
    });
    connect.once('error', (error) => finish(new Error(`proxy ${this.label}: ${error.message}`, { cause: error })));
    connect.end();
    return undefined;
  }
}
