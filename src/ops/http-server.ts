/**
 * The worker's HTTP port: /healthz for orchestrators, /metrics for Prometheus, and the Bull Board
 * dashboard of the queue under /queues. It binds to 127.0.0.1 unless told otherwise; see
 * dashboard-guard.ts for who may open the dashboard.
 */
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Queue } from 'bullmq';
import express from 'express';
import type { Logger } from '../log.js';
import type { AuditMetrics } from './metrics.js';
import { dashboardAccess } from './dashboard-guard.js';
import type { HealthCheck } from './health.js';
import { hostCheck } from './host-check.js';
import { explorerRouter, type ExplorerOptions } from '../explorer/explorer-router.js';

export interface OpsServerOptions {
  host: string;
  port: number;
  dashboardPassword: string | undefined;
  /** Host header names accepted besides localhost and address literals (AUDIT_HTTP_ALLOWED_HOSTS). */
  allowedHosts: readonly string[];
  queue: Queue;
  metrics: AuditMetrics;
  health: HealthCheck;
  log: Logger;
  /** The audit explorer at /explorer (AUDIT_EXPLORER=1): its readers and settings. */
  explorer?: Omit<ExplorerOptions, 'base' | 'log'> | undefined;
}

export interface OpsServer {
  url: string;
  close(): Promise<void>;
}

export const DASHBOARD_PATH = '/queues';
export const EXPLORER_PATH = '/explorer';

export async function startOpsServer(options: OpsServerOptions): Promise<OpsServer> {
  const app = express();
  app.disable('x-powered-by');
  app.use(hostCheck(options.allowedHosts));

  app.get('/healthz', async (_req, res) => {
    res.set('Cache-Control', 'no-store');
    try {
      const report = await options.health();
      res.status(report.ok ? 200 : 503).json(report);
    } catch (error) {
      options.log.warn({ err: error }, 'health check failed');
      res.status(503).json({ ok: false, reasons: [`health check failed: ${(error as Error).message}`] });
    }
  });

  app.get('/metrics', async (_req, res) => {
    try {
      res.type(options.metrics.registry.contentType).send(await options.metrics.registry.metrics());
    } catch (error) {
      options.log.warn({ err: error }, 'collecting metrics failed');
      res.status(500).type('text/plain').send(`collecting metrics failed: ${(error as Error).message}\n`);
    }
  });

  const access = dashboardAccess(options.host, options.dashboardPassword);
  if (access.enabled) {
    const board = new ExpressAdapter();
    board.setBasePath(DASHBOARD_PATH);
    createBullBoard({ queues: [new BullMQAdapter(options.queue, { readOnlyMode: access.readOnly })], serverAdapter: board, options: { uiConfig: { boardTitle: 'flatfile-audit' } } });
    app.use(DASHBOARD_PATH, access.guard, board.getRouter());
  } else {
    options.log.warn({ host: options.host }, 'queue dashboard off: the ops port is not on loopback and AUDIT_DASHBOARD_PASSWORD is not set');
    app.use(DASHBOARD_PATH, access.guard);
  }

  if (options.explorer) {
    if (access.enabled) app.use(EXPLORER_PATH, access.guard, explorerRouter({ ...options.explorer, base: EXPLORER_PATH, log: options.log }));
    else {
      options.log.warn({ host: options.host }, 'audit explorer off: the ops port is not on loopback and AUDIT_DASHBOARD_PASSWORD is not set');
      app.use(EXPLORER_PATH, access.guard);
    }
  }

  const server: Server = app.listen(options.port, options.host);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const url = `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}`;
  options.log.info({ url }, `ops HTTP server listening (/healthz, /metrics, /queues${options.explorer ? ', /explorer' : ''})`);
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
