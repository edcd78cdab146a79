/** Progress of a sync on a terminal: one line per environment as it finishes, a live page counter meanwhile. */
import type { SyncProgress } from '../sync/sync-account.js';

export function terminalProgress(out: NodeJS.WritableStream & { isTTY?: boolean }): ((p: SyncProgress) => void) | undefined {
  if (!out.isTTY) return undefined;
  const names = new Map<string, string>();
  const pages = new Map<string, number>();
  let lastDraw = 0;
  const draw = (force = false) => {
    const now = Date.now();
    if (!force && now - lastDraw < 200) return;
    lastDraw = now;
    const total = [...pages.values()].reduce((a, b) => a + b, 0);
    out.write(`\r\x1b[K  syncing ${pages.size} environment(s), ${total} pages read`);
  };
  return (p) => {
    switch (p.kind) {
      case 'environments':
        for (const e of p.environments) names.set(e.id, e.name);
        out.write(`found ${p.environments.length} environment(s)\n`);
        break;
      case 'page':
        pages.set(p.environmentId, p.pages);
        draw();
        break;
      case 'environment-done': {
        const r = p.report;
        out.write(`\r\x1b[K  ${r.status === 'ok' ? 'ok    ' : 'FAILED'} ${names.get(r.environmentId) ?? r.environmentId}: ${r.newEvents} new events, ${r.pages} pages\n`);
        pages.delete(r.environmentId);
        break;
      }
    }
  };
}
