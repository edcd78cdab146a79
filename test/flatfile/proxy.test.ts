/**
 * Traffic really goes through HTTPS_PROXY / HTTP_PROXY, keeps its connections alive through the
 * tunnel, skips the proxy for NO_PROXY hosts, and never shows the proxy's credentials.
 *
 * The rig: the simulator (plain http on loopback) behind a TLS terminator with a certificate made
 * for this test (for the name flatfile.test and the address 0.0.0.0), and an HTTP proxy written
 * here that requires a password, counts CONNECT tunnels and sends every one of them to the TLS
 * terminator. flatfile.test resolves nowhere, so a sync that reaches it went through the proxy.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, request as httpRequest, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { createServer as createTlsServer } from 'node:tls';
import { describe, expect, it, onTestFinished } from 'vitest';
import { exchange } from '../../src/flatfile/transport.js';
import { readProxySettings } from '../../src/proxy-settings.js';
import { runCli } from '../helpers/cli.js';
import { simulator, TEST_PAT } from '../helpers/simulator.js';
import { storedEventIds } from '../helpers/sync.js';
import { tempDir } from '../helpers/temp.js';

const PROXY_USER = 'auditor';
const PROXY_PASSWORD = 'pr0xy-pass-7f3e';
const PROXY_AUTH = `Basic ${Buffer.from(`${PROXY_USER}:${PROXY_PASSWORD}`).toString('base64')}`;

function closeOnFinish(server: Server | ReturnType<typeof createTlsServer>, sockets: Set<Socket>): void {
  onTestFinished(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
}

function track(server: Server | ReturnType<typeof createTlsServer>): Set<Socket> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  return sockets;
}

async function listen(server: Server | ReturnType<typeof createTlsServer>, host = '127.0.0.1'): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return (server.address() as AddressInfo).port;
}

/** A self-signed certificate for flatfile.test and 0.0.0.0, made with openssl now. */
function certificate(dir: string): { key: Buffer; cert: Buffer; certPath: string } {
  const keyPath = join(dir, 'key.pem');
  const certPath = join(dir, 'cert.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-subj', '/CN=flatfile.test', '-addext', 'subjectAltName=DNS:flatfile.test,IP:0.0.0.0', '-keyout', keyPath, '-out', certPath,
  ], { stdio: 'ignore' });
  return { key: readFileSync(keyPath), cert: readFileSync(certPath), certPath };
}

/** TLS in front of the simulator; listens on every address so 0.0.0.0 reaches it. */
async function tlsFront(simulatorPort: number, key: Buffer, cert: Buffer): Promise<number> {
  const server = createTlsServer({ key, cert }, (tls) => {
    const upstream = connect(simulatorPort, '127.0.0.1');
    tls.pipe(upstream).pipe(tls);
    tls.on('error', () => upstream.destroy());
    upstream.on('error', () => tls.destroy());
  });
  const sockets = track(server);
  closeOnFinish(server, sockets);
  return listen(server, '0.0.0.0');
}

interface ProxyLog {
  port: number;
  tunnels: string[];
  forwarded: string[];
  refused: number;
}

/** An HTTP proxy: CONNECT tunnels all lead to `tunnelPort`; absolute-URI requests go to `httpPort`. Wants PROXY_AUTH. */
async function proxyServer(tunnelPort: number, httpPort: number): Promise<ProxyLog> {
  const log: ProxyLog = { port: 0, tunnels: [], forwarded: [], refused: 0 };
  const server = createHttpServer((req, res) => {
    if (req.headers['proxy-authorization'] !== PROXY_AUTH) {
      log.refused += 1;
      res.writeHead(407, { 'proxy-authenticate': 'Basic realm="test"' }).end();
      return;
    }
    log.forwarded.push(`${req.url} host=${req.headers.host}`);
    const target = new URL(req.url ?? '/');
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    const upstream = httpRequest({ host: '127.0.0.1', port: httpPort, method: req.method, path: target.pathname + target.search, headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    req.pipe(upstream);
  });
  server.on('connect', (req, client: Socket, head: Buffer) => {
    if (req.headers['proxy-authorization'] !== PROXY_AUTH) {
      log.refused += 1;
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    log.tunnels.push(String(req.url));
    const upstream = connect(tunnelPort, '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      client.pipe(upstream).pipe(client);
    });
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  const sockets = track(server);
  closeOnFinish(server, sockets);
  log.port = await listen(server);
  return log;
}

async function rig() {
  const running = await simulator({ account: { environments: 2, eventsPerEnvironment: 120 } });
  const dir = tempDir();
  const { key, cert, certPath } = certificate(dir);
  const tlsPort = await tlsFront(running.port, key, cert);
  const proxy = await proxyServer(tlsPort, running.port);
  const env = {
    FLATFILE_TOKEN: TEST_PAT,
    NODE_EXTRA_CA_CERTS: certPath,
    HTTPS_PROXY: `http://${PROXY_USER}:${PROXY_PASSWORD}@127.0.0.1:${proxy.port}`,
    AUDIT_PAGE_SIZE: '20',
    AUDIT_CONCURRENCY: '2',
    LOG_LEVEL: 'trace',
  };
  return { ...running, dir, tlsPort, proxy, env };
}

describe('HTTPS_PROXY', () => {
  it('carries a whole sync through CONNECT tunnels that stay open, and never logs its credentials', async () => {
    const { sim, dir, proxy, env } = await rig();
    const dbPath = join(dir, 'audit.db');
    const result = await runCli(['sync', '--once'], { ...env, FLATFILE_API_URL: 'https://flatfile.test/api/v1', AUDIT_DB: dbPath });
    expect(result.code, result.stderr.slice(-2000)).toBe(0);
    expect(storedEventIds(dbPath)).toEqual(sim.eventIds());
    const requests = Object.values(sim.stats().byRoute).reduce((sum, n) => sum + n, 0);
    expect(proxy.tunnels.length).toBeGreaterThan(0);
    expect(new Set(proxy.tunnels)).toEqual(new Set(['flatfile.test:443']));
    // Kept alive: far fewer tunnels than requests (at most one per concurrent request, plus idle expiries).
    expect(proxy.tunnels.length).toBeLessThan(requests / 2);
    expect(proxy.refused).toBe(0);
    const output = result.stdout + result.stderr;
    expect(output).toContain('"level":"debug"'); // debug lines, with their URLs, were written
    expect(output).not.toContain(PROXY_PASSWORD);
    expect(output).not.toContain(PROXY_AUTH.slice('Basic '.length));
  });

  it('is skipped for a NO_PROXY host, and used for the same URL without NO_PROXY', async () => {
    const { sim, dir, tlsPort, proxy, env } = await rig();
    // 0.0.0.0 reaches the TLS front directly on Linux; its certificate names that address.
    const apiUrl = `https://0.0.0.0:${tlsPort}/api/v1`;
    const bypassed = await runCli(['sync', '--once'], { ...env, FLATFILE_API_URL: apiUrl, AUDIT_DB: join(dir, 'a.db'), NO_PROXY: 'example.org, 0.0.0.0' });
    expect(bypassed.code, bypassed.stderr.slice(-2000)).toBe(0);
    expect(storedEventIds(join(dir, 'a.db'))).toEqual(sim.eventIds());
    expect(proxy.tunnels).toEqual([]);

    const proxied = await runCli(['sync', '--once'], { ...env, FLATFILE_API_URL: apiUrl, AUDIT_DB: join(dir, 'b.db') });
    expect(proxied.code, proxied.stderr.slice(-2000)).toBe(0);
    expect(proxy.tunnels.length).toBeGreaterThan(0);
    expect(new Set(proxy.tunnels)).toEqual(new Set([`0.0.0.0:${tlsPort}`]));
  });

  it('refusing the tunnel fails with the proxy and status named, and no password', async () => {
    const { proxy } = await rig();
    const settings = readProxySettings({ HTTPS_PROXY: `http://${PROXY_USER}:wrong-password@127.0.0.1:${proxy.port}` });
    const attempt = exchange({ method: 'GET', url: 'https://flatfile.test/api/v1/environments', headers: {}, signal: AbortSignal.timeout(10_000), maxBodyBytes: 2 ** 20, proxy: settings });
    await expect(attempt).rejects.toThrow(`proxy 127.0.0.1:${proxy.port} refused CONNECT flatfile.test:443 (HTTP 407)`);
    await attempt.catch((error: Error) => expect(`${error.message} ${String(error.cause)}`).not.toContain('wrong-password'));
    expect(proxy.refused).toBe(1);
  });
});

describe('HTTP_PROXY', () => {
  it('sends http requests to the proxy in absolute form, with its credentials', async () => {
    const { proxy } = await rig();
    const settings = readProxySettings({ HTTP_PROXY: `http://${PROXY_USER}:${PROXY_PASSWORD}@127.0.0.1:${proxy.port}`, NO_PROXY: 'example.org' });
    for (let i = 0; i < 3; i += 1) {
      const answer = await exchange({
        method: 'GET',
        url: 'http://flatfile.test/api/v1/environments?pageSize=1',
        headers: { authorization: `Bearer ${TEST_PAT}` },
        signal: AbortSignal.timeout(10_000),
        maxBodyBytes: 2 ** 20,
        proxy: settings,
      });
      expect(answer.status).toBe(200);
      expect((JSON.parse(answer.text) as { data: unknown[] }).data).toHaveLength(1);
    }
    expect(proxy.forwarded).toEqual(Array(3).fill('http://flatfile.test/api/v1/environments?pageSize=1 host=flatfile.test'));
  });
});
