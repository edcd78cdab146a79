/**
 * `flatfile-audit explorer [--port 8788] [--host 127.0.0.1]`: the read-only audit explorer on a
 * port of its own, over whichever store the configuration names, until SIGINT/SIGTERM.
 */
import { ConfigError } from '../errors.js';
import { explorerAccess, startExplorerServer } from '../explorer/explorer-server.js';
import type { Config } from '../config.js';
import { createLogger } from '../log.js';
import { openReader, storeSettings } from '../store/open-store.js';
import { EXIT, type CliContext } from './context.js';

export const DEFAULT_EXPLORER_PORT = 8788;

export function parseExplorerPort(text: string): number {
  const port = /^\d{1,5}$/.test(text.trim()) ? Number(text) : NaN;
  if (!(port >= 0 && port <= 65535)) throw new ConfigError(`--port must be a port number (0 picks a free one), got "${text}"`);
  return port;
}

export async function runExplorer(ctx: CliContext, config: Config, listen: { host: string; port: number }): Promise<number> {
  // Refused before anything is opened: the address is the operator's mistake, not the store's.
  explorerAccess(listen.host, config.worker.dashboardPassword);
  const settings = storeSettings(config);
  const log = createLogger({ level: config.logLevel, pretty: config.logPretty || Boolean(ctx.stderr.isTTY) });
  const reader = await openReader(settings);
  try {
    const server = await startExplorerServer({
      host: listen.host,
      port: listen.port,
      dashboardPassword: config.worker.dashboardPassword,
      allowedHosts: config.worker.httpAllowedHosts,
      reader,
      openReader: () => openReader(settings),
      staleAfterMs: config.worker.staleAfterMs,
      maxClockSkewMs: config.maxClockSkewMs,
      tokens: config.tokens,
      log,
    });
    ctx.stdout.write(`audit explorer on ${server.url} (read-only; Ctrl-C to stop)\n`);
    await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
    await server.close();
    return EXIT.ok;
  } finally {
    await reader.close();
  }
}
