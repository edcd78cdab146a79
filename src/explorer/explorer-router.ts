/**
 * The explorer's routes (the URL contract is in README.md and trail-filter.ts), mounted on a server
 * of its own (`flatfile-audit explorer`) or on the worker's ops port at /explorer. Read-only by
 * construction: only GET and HEAD are answered, anything else is 405, and every read goes through
 * the store's read seam.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { Logger } from '../log.js';
import type { AuditReader } from '../store/audit-reader.js';
import { verifyEventLink } from '../store/chain/verify-event-link.js';
import { EXPLORER_CSS, EXPLORER_ICON } from './assets/explorer-css.js';
import { EXPLORER_JS } from './assets/explorer-js.js';
import { sendDownload } from './download.js';
import { DownloadSlots } from './download-slots.js';
import { BadRequestError, NotFoundPageError } from './explorer-errors.js';
import type { TokenHygieneConfig } from '../config.js';
import { parseAccessFilter } from './access-filter.js';
import { readAccess, readChangerNames } from './access-reads.js';
import { readActorHistory } from './actor-history.js';
import { readTokens } from './token-reads.js';
import { accessPage } from './pages/access-page.js';
import { tokensPage } from './pages/tokens-page.js';
import { readActor, readEnvironments, readEvent, readRecentRuns, readTimeline, readTrailPage } from './explorer-reads.js';
import { html, type Html } from './html.js';
import { actorPage } from './pages/actor-page.js';
import { environmentsPage } from './pages/environments-page.js';
import { eventPage } from './pages/event-page.js';
import { healthPage } from './pages/health-page.js';
import { layout } from './pages/layout.js';
import { trailPage } from './pages/trail-page.js';
import { ReaderGate } from './reader-gate.js';
import { parsePosition, parseTrailFilter } from './trail-filter.js';

export interface ExplorerOptions {
  /** The reader the pages share (one statement at a time). */
  reader: AuditReader;
  /** A reader of its own for each download, closed when it ends. */
  openReader: () => Promise<AuditReader>;
  /** Where the router is mounted ('' or '/explorer'): links are built under it. */
  base: string;
  /** Environments without a success for this long are shown as stale on /health. */
  staleAfterMs: number;
  /** How far ahead of now an event's date is taken as an upstream clock gone wrong. */
  maxClockSkewMs: number;
  /** What /tokens flags (AUDIT_PAT_STALE_AFTER, AUDIT_PAT_MAX_AGE). */
  tokens: Pick<TokenHygieneConfig, 'staleAfterMs' | 'maxAgeMs'>;
  log: Logger;
  now?: () => Date;
  /** Downloads at once (default 2); one more is answered 503 with Retry-After. */
  maxDownloads?: number;
  /** How long one download may take (default 60 s, as query --timeout's); then it is cut, and fails at the client. */
  downloadTimeoutMs?: number;
}

const MAX_DOWNLOADS = 2;
const DOWNLOAD_TIMEOUT_MS = 60_000;
const DOWNLOAD_RETRY_AFTER_S = 10;

/** No script, style or connection leaves the app's own origin; no page can be framed. */
const CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

function chartScriptPath(): string {
  // chart.js exports no path to its browser build; it sits beside the package's main file.
  return join(dirname(createRequire(import.meta.url).resolve('chart.js')), 'chart.umd.min.js');
}

export function explorerRouter(options: ExplorerOptions): Router {
  const router = express.Router();
  const gate = new ReaderGate(options.reader);
  const downloads = new DownloadSlots(options.maxDownloads ?? MAX_DOWNLOADS);
  const dialect = options.reader.dialect;
  const now = options.now ?? (() => new Date());
  const b = options.base;

  router.use((req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.status(405).set('Allow', 'GET, HEAD').type('text/plain').send('The audit explorer is read-only.\n');
      return;
    }
    res.set({ 'Content-Security-Policy': CONTENT_SECURITY_POLICY, 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer', 'X-Frame-Options': 'DENY' });
    next();
  });

  const environmentChoices = async () =>
    (await gate.rows({ sql: 'SELECT id, name FROM environments ORDER BY name, id', params: {} })).map((r) => ({ id: String(r.id), name: (r.name as string | null) ?? null }));
  const page = (res: Response, body: Html) => res.set('Cache-Control', 'no-store').type('html').send(body.text);
  const params = (req: Request) => new URLSearchParams(req.originalUrl.split('?')[1] ?? '');

  router.get('/assets/explorer.css', (_req, res) => res.set('Cache-Control', 'public, max-age=300').type('css').send(EXPLORER_CSS));
  router.get('/assets/explorer.js', (_req, res) => res.set('Cache-Control', 'public, max-age=300').type('js').send(EXPLORER_JS));
  router.get('/assets/icon.svg', (_req, res) => res.set('Cache-Control', 'public, max-age=86400').type('svg').send(EXPLORER_ICON));
  const chartPath = chartScriptPath();
  router.get('/assets/chart.umd.js', (_req, res) => res.set('Cache-Control', 'public, max-age=86400').type('js').sendFile(chartPath));

  router.get('/', async (req, res) => {
    const query = params(req);
    const filter = parseTrailFilter(query);
    const before = parsePosition(query.get('before'));
    const trail = await readTrailPage(gate, filter, before);
    page(res, trailPage({ base: b, filter, page: trail, paged: before !== undefined, environments: await environmentChoices() }));
  });

  router.get('/timeline.json', async (req, res) => {
    const timeline = await readTimeline(gate, parseTrailFilter(params(req)), dialect);
    res.set('Cache-Control', 'no-store').json(timeline);
  });

  router.get(['/download.csv', '/download.ndjson'], async (req, res) => {
    const filter = parseTrailFilter(params(req));
    const release = downloads.take();
    if (release === undefined) {
      res.status(503).set({ 'Retry-After': String(DOWNLOAD_RETRY_AFTER_S), 'Cache-Control': 'no-store' }).type('text/plain').send(`${downloads.max} downloads are running; try again shortly.\n`);
      return;
    }
    try {
      const reader = await options.openReader();
      try {
        const outcome = await sendDownload(reader, filter, req.path.endsWith('.csv') ? 'csv' : 'ndjson', res, options.downloadTimeoutMs ?? DOWNLOAD_TIMEOUT_MS);
        if (outcome === 'cut') options.log.warn({ timeoutMs: options.downloadTimeoutMs ?? DOWNLOAD_TIMEOUT_MS }, 'explorer download cut at its time limit');
      } finally {
        await reader.close();
      }
    } finally {
      release();
    }
  });

  router.get('/events/:id', async (req, res) => {
    const id = String(req.params.id);
    const event = await readEvent(gate, id, dialect);
    if (event === undefined) throw new NotFoundPageError(`No event ${id} is stored.`);
    const link = await gate.run((reader) => reader.snapshot((view) => verifyEventLink(view, id)));
    page(res, eventPage({ base: b, row: event.row, raw: event.raw, link: link ?? { ok: false, seq: null, reason: 'the event is gone' } }));
  });

  router.get('/actors/:id', async (req, res) => {
    const id = String(req.params.id);
    const actor = await readActor(gate, id);
    if (actor === undefined) throw new NotFoundPageError(`No actor ${id} is known: not in the inventories, and no stored event names it.`);
    const recent = await readTrailPage(gate, { actor: id }, undefined);
    const history = await readActorHistory(gate, id);
    const access = actor.kind === 'guest' ? await readAccess(gate, { guestId: id }) : undefined;
    const changers = access ? await readChangerNames(gate, access.rows) : new Map<string, string>();
    page(res, actorPage({ base: b, actor, recent, history, access, changers }));
  });

  router.get('/access', async (req, res) => {
    const filter = parseAccessFilter(params(req));
    const access = await readAccess(gate, filter);
    page(res, accessPage({ base: b, filter, access, changers: await readChangerNames(gate, access.rows), environments: await environmentChoices() }));
  });

  router.get('/tokens', async (_req, res) => {
    page(res, tokensPage(b, await readTokens(gate, now(), options.tokens)));
  });

  router.get('/environments', async (_req, res) => {
    const status = await gate.run((reader) => reader.status({ futureDatedAfter: new Date(now().getTime() + options.maxClockSkewMs).toISOString() }));
    page(res, environmentsPage(b, await readEnvironments(gate, status, now(), dialect)));
  });

  router.get('/health', async (_req, res) => {
    const status = await gate.run((reader) => reader.status({ futureDatedAfter: new Date(now().getTime() + options.maxClockSkewMs).toISOString() }));
    page(res, healthPage({ base: b, status, runs: await readRecentRuns(gate), staleBefore: new Date(now().getTime() - options.staleAfterMs).toISOString() }));
  });

  router.use((_req, _res, next) => next(new NotFoundPageError('No such page.')));

  router.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status = error instanceof BadRequestError || error instanceof NotFoundPageError ? error.status : 500;
    if (status === 500) options.log.warn({ err: error }, 'explorer page failed');
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const message = status === 500 ? 'The store could not answer; see the logs.' : (error as Error).message;
    res.status(status).set('Cache-Control', 'no-store').type('html').send(layout({ title: status === 404 ? 'Not found' : status === 400 ? 'Bad request' : 'Error', section: '', base: b, body: html`<h1>${status === 404 ? 'Not found' : status === 400 ? 'Bad request' : 'Error'}</h1><p class="error">${message}</p><p><a href="${b}/">Back to the trail</a></p>` }).text);
  });
  return router;
}
