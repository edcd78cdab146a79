/**
 * A hostile API answers with a compression bomb: about 1 MB of gzip that inflates to 1 GB (and a
 * brotli one). The real CLI must refuse it with one clear line, not retry it, and stay within a
 * bounded amount of memory, measured as the peak RSS of the CLI process itself.
 */
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { constants, createBrotliCompress, createGzip, type BrotliCompress, type Gzip } from 'node:zlib';
import { beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp.js';

const MiB = 2 ** 20;

/** `total` zero bytes through the compressor, streamed so the test never holds them. */
async function compressZeros(total: number, compressor: Gzip | BrotliCompress): Promise<Buffer> {
  const chunks: Buffer[] = [];
  compressor.on('data', (chunk: Buffer) => chunks.push(chunk));
  const zeros = Buffer.alloc(MiB);
  for (let written = 0; written < total; written += zeros.length) {
    if (!compressor.write(zeros)) await once(compressor, 'drain');
  }
  compressor.end();
  await once(compressor, 'end');
  return Buffer.concat(chunks);
}

/** Serves `body` with `encoding` to every request; counts requests. */
async function bombServer(body: Buffer, encoding: string): Promise<{ url: string; requests: () => number }> {
  let requests = 0;
  const server: Server = createServer((req, res) => {
    requests += 1;
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': encoding, 'content-length': body.length });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`, requests: () => requests };
}

/** Runs `sync --once` against `url` with a preload that records the process's peak RSS (bytes). */
async function syncMeasured(url: string, env: Record<string, string> = {}) {
  const dir = tempDir();
  const preload = join(dir, 'peak-rss.mjs');
  const report = join(dir, 'peak-rss.txt');
  writeFileSync(
    preload,
    `import { writeFileSync } from 'node:fs';\nprocess.on('exit', () => writeFileSync(${JSON.stringify(report)}, String(process.resourceUsage().maxRSS * 1024)));\n`,
  );
  const result = await runCli(['sync', '--once'], {
    NODE_OPTIONS: `--import=${pathToFileURL(preload).href}`,
    FLATFILE_API_URL: url,
    FLATFILE_TOKEN: 'sk_test_bomb_0123456789',
    AUDIT_DB: join(dir, 'audit.db'),
    AUDIT_REQUEST_TIMEOUT: '60s',
    ...env,
  });
  return { ...result, peakRss: Number(readFileSync(report, 'utf8')) };
}

describe('an answer larger than AUDIT_MAX_RESPONSE_BYTES', () => {
  let gzipBomb: Buffer;
  let brotliBomb: Buffer;
  beforeAll(async () => {
    gzipBomb = await compressZeros(1024 * MiB, createGzip({ level: 9 }));
    brotliBomb = await compressZeros(256 * MiB, createBrotliCompress({ params: { [constants.BROTLI_PARAM_QUALITY]: 5 } }));
  }, 120_000);

  it('is refused after decompression with one clear line: a 1 MB gzip bomb of 1 GB, in bounded memory', async () => {
    expect(gzipBomb.length).toBeLessThan(1.5 * MiB);
    const api = await bombServer(gzipBomb, 'gzip');
    const result = await syncMeasured(api.url);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'flatfile-audit: sync failed: GET /api/v1/environments answered more than 64 MiB (counted after decompression) and was refused; raise AUDIT_MAX_RESPONSE_BYTES if such answers are expected\n',
    );
    expect(api.requests()).toBe(1); // not retried: the same request would bring the same answer
    expect(result.peakRss).toBeLessThan(300 * MiB);
  });

  it('is refused the same way for brotli, and the cap follows AUDIT_MAX_RESPONSE_BYTES', async () => {
    const api = await bombServer(brotliBomb, 'br');
    const result = await syncMeasured(api.url, { AUDIT_MAX_RESPONSE_BYTES: '8MB' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('GET /api/v1/environments answered more than 8 MiB (counted after decompression) and was refused');
    expect(api.requests()).toBe(1);
    expect(result.peakRss).toBeLessThan(300 * MiB);
  });
});
