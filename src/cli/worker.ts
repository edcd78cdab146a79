/** `flatfile-audit worker` (and `npm start`): the long-running scheduled service. */
import { once } from 'node:events';
import { startWorker } from '../../jobs/worker.js';
import { loadConfig } from '../config.js';
import { createLogger } from '../log.js';
import { EXIT, type CliContext } from './context.js';

export async function runWorker(ctx: CliContext): Promise<number> {
  const config = loadConfig(ctx.env);
  const log = createLogger({ level: config.logLevel, pretty: config.logPretty || Boolean(ctx.stderr.isTTY) });
  const running = await startWorker(config, log);
  if (!ctx.signal.aborted) await once(ctx.signal, 'abort');
  log.info('stopping: no new jobs; running ones return to the queue after their current write');
  const started = Date.now();
  await running.close();
  log.info({ tookMs: Date.now() - started }, 'worker stopped');
  return EXIT.ok;
}
