/** The `flatfile-audit` command line: parses arguments, runs one command, maps errors to exit codes. */
import { parseArgs } from 'node:util';
import { AuditError, ConfigError, describeError } from '../errors.js';
import { loadConfig } from '../config.js';
import { EXIT, type CliContext } from './context.js';
import { runDemo } from './demo.js';
import { DEFAULT_MAX_ROWS, DEFAULT_QUERY_TIMEOUT, runQuery } from './query.js';
import { escapeControl, terminalSafeJson } from './safe-text.js';
import { runSimulator } from './simulator.js';
import { formatStatus, readStatus } from './status.js';
import { connectionSummary, formatConnection } from '../flatfile/connect.js';
import { syncOnce } from './sync-once.js';
import { formatVerify, runVerify, verifyJson, verifyOk } from './verify.js';
import { runKeygen } from './keygen.js';
import { syncQueued } from './sync-queued.js';
import { runWorker } from './worker.js';
import { formatQueueStatus, readQueueStatus } from './queue-status.js';
import { parseDuration } from '../duration.js';

const HELP = `flatfile-audit: a Flatfile audit trail in SQLite

usage:
  flatfile-audit worker                 the scheduled service: syncs on AUDIT_SYNC_CRON until stopped
  flatfile-audit sync [--no-wait] [--timeout 1h]
                                        ask the workers for an account sync now, and follow it
  flatfile-audit sync --once            sync every environment once, straight into the database (no Redis)
  flatfile-audit query "<SQL>" [--json | --csv] [--param name=value ...] [--max-rows 10000 | --all] [--timeout 60s]
                                        run a read-only query against the audit database
  flatfile-audit status [--json] [--no-queue]
                                        cursor, last sync and last error per environment, and the queue
  flatfile-audit verify [--json]        recompute the events' hash chains: was any row changed or deleted?
  flatfile-audit verify --checkpoints FILE [--public-key FILE ...] [--json]
                                        also check the database against the checkpoints kept outside it
  flatfile-audit keygen --out DIR       write an Ed25519 key pair for signing checkpoints
  flatfile-audit demo                   sync the bundled API simulator into ./data/demo.db and show answers
  flatfile-audit simulator [--port 8787] [--environments 3] [--events 500] [--seed 1]
                                        serve the bundled Flatfile API simulator

settings come from environment variables (FLATFILE_TOKEN, AUDIT_DB, ...): see README.md;
Flatfile's own FLATFILE_API_URL, FLATFILE_REGION, FLATFILE_BEARER_TOKEN and FLATFILE_API_KEY work too.
exit codes: 0 ok, 1 sync failed or partial, 2 bad usage or settings, 3 token rejected.
`;

export async function main(argv: string[], ctx: CliContext = processContext()): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'sync': {
        const { values } = parseArgs({
          args: rest,
          options: { once: { type: 'boolean', default: false }, 'no-wait': { type: 'boolean', default: false }, timeout: { type: 'string', default: '1h' } },
          strict: true,
        });
        if (values.once) return await syncOnce(ctx);
        const timeoutMs = parseDuration(values.timeout);
        if (!timeoutMs) throw new ConfigError(`--timeout must be a duration like 30m, got "${values.timeout}"`);
        return await syncQueued(ctx, { wait: !values['no-wait'], timeoutMs });
      }
      case 'worker':
        return await runWorker(ctx);
      case 'query': {
        const { values, positionals } = parseArgs({
          args: rest,
          options: {
            json: { type: 'boolean', default: false },
            csv: { type: 'boolean', default: false },
            param: { type: 'string', multiple: true, default: [] },
            'max-rows': { type: 'string' },
            all: { type: 'boolean', default: false },
            timeout: { type: 'string', default: DEFAULT_QUERY_TIMEOUT },
          },
          allowPositionals: true,
          strict: true,
        });
        if (positionals.length !== 1) throw new ConfigError('query takes one SQL statement in quotes, e.g. flatfile-audit query "SELECT count(*) FROM events"');
        const format = values.json ? 'json' : values.csv ? 'csv' : 'table';
        const timeoutMs = parseDuration(values.timeout);
        if (!timeoutMs) throw new ConfigError(`--timeout must be a duration like 60s or 10m, got "${values.timeout}"`);
        const maxRows = parseMaxRows(values.all, values['max-rows']);
        await runQuery({ store: loadConfig(ctx.env), sql: positionals[0]!, format, params: parseParams(values.param), maxRows, timeoutMs }, ctx);
        return EXIT.ok;
      }
      case 'status': {
        const { values } = parseArgs({ args: rest, options: { json: { type: 'boolean', default: false }, 'no-queue': { type: 'boolean', default: false } }, strict: true });
        const config = loadConfig(ctx.env);
        const status = await readStatus(config, { futureDatedAfter: new Date(Date.now() + config.maxClockSkewMs).toISOString() });
        const queue = values['no-queue'] ? undefined : await readQueueStatus(config.worker);
        const api = connectionSummary(config);
        ctx.stdout.write(values.json ? `${terminalSafeJson(JSON.stringify({ ...status, api, queue }, null, 2))}\n` : `${formatStatus(status)}${formatConnection(config)}\n` + (queue ? formatQueueStatus(queue) : ''));
        return EXIT.ok;
      }
      case 'verify': {
        const { values } = parseArgs({
          args: rest,
          options: { json: { type: 'boolean', default: false }, checkpoints: { type: 'string' }, 'public-key': { type: 'string', multiple: true, default: [] } },
          strict: true,
        });
        if (values['public-key'].length > 0 && values.checkpoints === undefined) throw new ConfigError('--public-key checks the signatures of --checkpoints FILE: give both');
        const result = await runVerify(loadConfig(ctx.env), { checkpoints: values.checkpoints, publicKeys: values['public-key'] });
        ctx.stdout.write(values.json ? terminalSafeJson(verifyJson(result)) : formatVerify(result));
        return verifyOk(result) ? EXIT.ok : EXIT.failed;
      }
      case 'keygen': {
        const { values } = parseArgs({ args: rest, options: { out: { type: 'string' } }, strict: true });
        if (!values.out) throw new ConfigError('keygen needs --out DIR: where to write signing-key.pem and signing-key.pub.pem');
        return runKeygen(ctx, values.out);
      }
      case 'demo':
        return await runDemo(ctx, rest);
      case 'simulator':
        return await runSimulator(ctx, rest);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        ctx.stdout.write(HELP);
        return command === undefined ? EXIT.usage : EXIT.ok;
      default:
        throw new ConfigError(`unknown command "${command}"; run flatfile-audit --help`);
    }
  } catch (error) {
    // Error messages can quote what the API or the database held: one line, nothing a terminal acts on.
    ctx.stderr.write(`flatfile-audit: ${escapeControl(describeError(error))}\n`);
    if (error instanceof ConfigError || String((error as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS')) return EXIT.usage;
    if (error instanceof AuditError && error.code === 'TOKEN_REJECTED') return EXIT.tokenRejected;
    if (error instanceof AuditError && error.code === 'QUERY_REFUSED') return EXIT.usage;
    return EXIT.failed;
  }
}

/** `--param email=a@b.c` pairs for the named parameters (:email) of a query. */
function parseParams(pairs: string[]): Record<string, string> {
  const params: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at < 1) throw new ConfigError(`--param takes name=value, got "${pair}"`);
    params[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return params;
}

/** --max-rows N (default 10000) or --all (null: every row). */
function parseMaxRows(all: boolean, text: string | undefined): number | null {
  if (all && text !== undefined) throw new ConfigError('give either --all or --max-rows, not both');
  if (all) return null;
  if (text === undefined) return DEFAULT_MAX_ROWS;
  if (!/^\d+$/.test(text.trim()) || Number(text) < 1) throw new ConfigError(`--max-rows must be a whole number of at least 1, got "${text}"`);
  return Number(text);
}

/** The real process: its streams, its environment, and a signal that SIGINT/SIGTERM abort. */
function processContext(): CliContext {
  const controller = new AbortController();
  const stop = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write(`\nflatfile-audit: ${signal} received, stopping after the current write (again to force)\n`);
    controller.abort(new Error(`${signal} received`));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return { env: process.env, stdout: process.stdout, stderr: process.stderr, signal: controller.signal };
}
