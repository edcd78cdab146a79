/**
 * `flatfile-audit explorer` on a port of its own: the same Host check and access rule as the
 * worker's dashboard (dashboard-guard.ts): on loopback without a password, anywhere else only with
 * AUDIT_DASHBOARD_PASSWORD.
 */
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { ConfigError } from '../errors.js';
import { dashboardAccess, type DashboardAccess } from '../ops/dashboard-guard.js';
import { hostCheck } from '../ops/host-check.js';
import type { Logger } from '../log.js';
import { explorerRouter, type ExplorerOptions } from './explorer-router.js';

export interface ExplorerServerOptions extends Omit<ExplorerOptions, 'base'> {
  host: string;
  port: number;
  dashboardPassword: string | undefined;
  allowedHosts: readonly string[];
  log: Logger;
}

export interface ExplorerServer {
  url: string;
  close(): Promise<void>;
}

/** Refused before it listens when the address reaches beyond this machine and no password is set. */
export class ExplorerAccessError extends ConfigError {
  constructor(host: string) {
    super(`the explorer would listen on ${host}, beyond this machine, without a password: set AUDIT_DASHBOARD_PASSWORD, or use --host 127.0.0.1`);
    this.name = 'ExplorerAccessError';
  }
}

/** Who may open the explorer on `host`; throws ExplorerAccessError when nobody may. */
export function explorerAccess(host: string, password: string | undefined): DashboardAccess {
  const access = dashboardAccess(host, password);
  if (!access.enabled) throw new ExplorerAccessError(host);
  return access;
}

export async function startExplorerServer(options: ExplorerServerOptions): Promise<ExplorerServer> {
  const access = explorerAccess(options.host, options.dashboardPassword);
  const app = express();
  app.disable('x-powered-by');
  app.use(hostCheck(options.allowedHosts));
  app.use(access.guard);
  app.use(explorerRouter({ ...options, base: '' }));
  const server: Server = app.listen(options.port, options.host);
  await Promise.race([once(server, 'listening'), once(server, 'error').then(([error]) => Promise.reject(error as Error))]);
  const { port } = server.address() as AddressInfo;
  const url = `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}/`;
  return {
    url,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
