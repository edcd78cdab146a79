/** The `flatfile-audit` command line: parses arguments, runs one command, maps errors to exit codes. */
import { parseArgs } from 'node:util';
import { AuditError, ConfigError, describeError } from '../errors.js';
import { loadConfig, reconcileWindowMs } from '../config.js';
import { EXIT, type CliContext } from './context.js';
import { runDemo } from './demo.js';
import { DEFAULT_MAX_ROWS, runQuery } from './query.js';
import { escapeControl, terminalSafeJson } from '../output/safe-text.js';
import { runSimulator } from './simulator.js';
import { formatStatus, formatTokenFlags, readStatus, readTokenFlags } from './status.js';
import { formatRotationStatus, readRotationStatus } from './rotation-status.js';
import { connectionSummary, formatConnection } from '../flatfile/connect.js';
import { syncOnce } from './sync-once.js';
import { formatVerify, runVerify, verifyJson, verifyOk } from './verify.js';
import { runKeygen } from './keygen.js';
import { runTokenRotate } from './token-rotate.js';
import { syncQueued } from './sync-queued.js';
import { runWorker } from './worker.js';
import { formatQueueStatus, readQueueStatus } from './queue-status.js';
import { parseDuration } from '../duration.js';
import { COMMANDS, commandHelp, isCommand, overview } from './commands.js';
import { preflight, unknownCommand } from './command-line.js';
import { parseMaxAge, runStatusCheck } from './status-check.js';
import { packageVersion } from './version.js';
import { runBackup } from './backup.js';
import { parseExplorerPort, runExplorer } from './explorer.js';
import { parseExportOptions, runExport } from './export.js';
import { storeSettings } from '../store/open-store.js';
import { runCopyStore } from './copy-store.js';
import { isoInstant } from './iso-instant.js';
import { syncEnvironmentOnce } from './sync-environment-once.js';
import { runCursorReset } from './cursor-reset.js';
import { runReconcile } from './reconcile.js';
import { createLogger } from '../log.js';
import { parsePruneOptions, runPrune } from './prune.js';
import { cookbookParams, cookbookQuery, cookbookSql } from '../cookbook.js';
import { closest } from './suggest.js';
import { formatSavedQueries, savedQueryList, storeDialect } from './saved-queries.js';

export async function main(argv: string[], ctx: CliContext = processContext()): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        // `help sync` is `sync --help`.
        if (command === 'help' && rest[0] !== undefined && isCommand(rest[0])) return print(ctx, commandHelp(rest[0]));
        ctx.stdout.write(overview());
        return command === undefined ? EXIT.usage : EXIT.ok;
      case '--version':
        return print(ctx, `${packageVersion()}\n`);
    }
    if (!isCommand(command)) throw unknownCommand(command);
    // Before anything starts (a worker, a connection, a file): --help only prints, a misspelt option only says so.
    if (preflight(command, rest) === 'help') return print(ctx, commandHelp(command));
    switch (command) {
      case 'sync': {
        const { values } = parseArgs({ args: rest, options: COMMANDS.sync.options, strict: true });
        const since = isoInstant('--since', values.since);
        if (since !== undefined && values.environment === undefined) throw new ConfigError('--since goes with --environment ID: flatfile-audit sync --once --environment ID --since ISO');
        if (values.environment !== undefined && !values.once) throw new ConfigError('--environment works with --once: flatfile-audit sync --once --environment ID [--since ISO] (the queued sync covers every environment)');
        if (values.environment !== undefined) return await syncEnvironmentOnce(ctx, { environmentId: requireText('--environment', values.environment), since });
        if (values.once) return await syncOnce(ctx);
        const timeoutMs = parseDuration(values.timeout);
        if (!timeoutMs) throw new ConfigError(`--timeout must be a duration like 30m, got "${values.timeout}"`);
        return await syncQueued(ctx, { wait: !values['no-wait'], timeoutMs });
      }
      case 'worker':
        parseArgs({ args: rest, options: COMMANDS.worker.options, strict: true });
        return await runWorker(ctx);
      case 'query': {
        const { values, positionals } = parseArgs({ args: rest, options: COMMANDS.query.options, allowPositionals: true, strict: true });
        if (values['list-saved']) {
          if (positionals.length > 0 || values.saved !== undefined) throw new ConfigError('--list-saved lists the cookbook and takes nothing else but --json');
          return print(ctx, values.json ? `${JSON.stringify(savedQueryList(), null, 2)}\n` : formatSavedQueries());
        }
        const saved = values.saved === undefined ? undefined : cookbookQuery(values.saved, closest);
        if (saved && positionals.length > 0) throw new ConfigError('give either --saved NAME or a SQL statement, not both');
        if (!saved && positionals.length !== 1) throw new ConfigError('query takes one SQL statement in quotes, e.g. flatfile-audit query "SELECT count(*) FROM events", or --saved NAME');
        const format = values.json ? 'json' : values.csv ? 'csv' : 'table';
        const timeoutMs = parseDuration(values.timeout);
        if (!timeoutMs) throw new ConfigError(`--timeout must be a duration like 60s or 10m, got "${values.timeout}"`);
        const maxRows = parseMaxRows(values.all, values['max-rows']);
        const config = loadConfig(ctx.env);
        const given = parseParams(values.param);
        const [sql, params] = saved
          ? [cookbookSql(saved, storeDialect(config)), cookbookParams(saved, given, { now: new Date(), tokens: config.tokens })]
          : [positionals[0]!, given];
        await runQuery({ store: config, sql, format, params, maxRows, timeoutMs }, ctx);
        return EXIT.ok;
      }
      case 'status': {
        const { values } = parseArgs({ args: rest, options: COMMANDS.status.options, strict: true });
        const config = loadConfig(ctx.env);
        if (values.check && values.json) throw new ConfigError('status --check prints one line per problem; leave out --json');
        if (!values.check && values['max-age'] !== undefined) throw new ConfigError('--max-age goes with --check: flatfile-audit status --check --max-age 30m');
        const maxAgeMs = values.check ? parseMaxAge(values['max-age'], config) : undefined;
        const status = await readStatus(config, { futureDatedAfter: new Date(Date.now() + config.maxClockSkewMs).toISOString() });
        if (maxAgeMs !== undefined) return await runStatusCheck(ctx, config, status, maxAgeMs);
        const queue = values['no-queue'] ? undefined : await readQueueStatus(config.worker);
        const api = connectionSummary(config);
        const tokens = await readTokenFlags(config, config.tokens);
        const rotation = await readRotationStatus(config);
        ctx.stdout.write(
          values.json
            ? `${terminalSafeJson(JSON.stringify({ ...status, api, tokens, rotation, queue }, null, 2))}\n`
            : `${formatStatus(status, config.lookbackMs)}${formatTokenFlags(tokens)}${formatRotationStatus(rotation)}${formatConnection(config)}\n` + (queue ? formatQueueStatus(queue) : ''),
        );
        return EXIT.ok;
      }
      case 'cursor': {
        const { values, positionals } = parseArgs({ args: rest, options: COMMANDS.cursor.options, allowPositionals: true, strict: true });
        if (positionals.length !== 1 || positionals[0] !== 'reset') throw new ConfigError('cursor takes one action, reset: flatfile-audit cursor reset --environment ID --since ISO');
        if (values.environment === undefined) throw new ConfigError('cursor reset needs --environment ID (list them with: flatfile-audit status); nothing was changed');
        const since = isoInstant('--since', values.since);
        if (since === undefined) throw new ConfigError('cursor reset needs --since ISO, the time to re-read from (it never guesses how far back); nothing was changed');
        const config = loadConfig(ctx.env);
        return await runCursorReset(ctx, config, createLogger({ level: config.logLevel }), { environmentId: requireText('--environment', values.environment), since });
      }
      case 'reconcile': {
        const { values } = parseArgs({ args: rest, options: COMMANDS.reconcile.options, strict: true });
        const windowMs = values.window === undefined ? undefined : reconcileWindowMs('--window', values.window);
        const environmentId = values.environment === undefined ? undefined : requireText('--environment', values.environment);
        const config = loadConfig(ctx.env);
        return await runReconcile(ctx, config, createLogger({ level: config.logLevel }), { windowMs: windowMs ?? config.reconcile.windowMs, environmentId });
      }
      case 'verify': {
        const { values } = parseArgs({ args: rest, options: COMMANDS.verify.options, strict: true });
        if (values['public-key'].length > 0 && values.checkpoints === undefined) throw new ConfigError('--public-key checks the signatures of --checkpoints FILE: give both');
        const result = await runVerify(loadConfig(ctx.env), { checkpoints: values.checkpoints, publicKeys: values['public-key'] });
        ctx.stdout.write(values.json ? terminalSafeJson(verifyJson(result)) : formatVerify(result));
        return verifyOk(result) ? EXIT.ok : EXIT.failed;
      }
      case 'token': {
        const { values, positionals } = parseArgs({ args: rest, options: COMMANDS.token.options, allowPositionals: true, strict: true });
        if (positionals.length !== 1 || positionals[0] !== 'rotate') throw new ConfigError('token takes one action: flatfile-audit token rotate [--name NAME] [--revoke-id ID]');
        if (values['revoke-id'] !== undefined && !/^us_pat_\w+$/.test(values['revoke-id'])) throw new ConfigError(`--revoke-id takes a token id like us_pat_…, got "${values['revoke-id']}"`);
        return await runTokenRotate(ctx, { name: values.name, revokeId: values['revoke-id'] });
      }
      case 'keygen': {
        const { values } = parseArgs({ args: rest, options: COMMANDS.keygen.options, strict: true });
        if (!values.out) throw new ConfigError('keygen needs --out DIR: where to write signing-key.pem and signing-key.pub.pem');
        return runKeygen(ctx, values.out);
      }
      case 'backup': {
        const { positionals } = parseArgs({ args: rest, options: COMMANDS.backup.options, allowPositionals: true, strict: true });
        if (positionals.length !== 1) throw new ConfigError('backup takes one DEST path, e.g. flatfile-audit backup /var/backups/flatfile-audit/audit.db');
        return await runBackup(ctx, storeSettings(loadConfig(ctx.env)), positionals[0]!);
      }
      case 'copy-store': {
        const { values } = parseArgs({ args: rest, options: COMMANDS['copy-store'].options, strict: true });
        return await runCopyStore(ctx, { to: values.to, batch: values.batch });
      }
      case 'export': {
        const { values } = parseArgs({ args: rest, options: COMMANDS.export.options, strict: true });
        await runExport(storeSettings(loadConfig(ctx.env)), parseExportOptions(values), ctx.stdout, ctx.stderr);
        return EXIT.ok;
      }
      case 'prune': {
        const { values } = parseArgs({ args: rest, options: COMMANDS.prune.options, strict: true });
        const config = loadConfig(ctx.env);
        return await runPrune(ctx, config, parsePruneOptions(values, config, new Date()));
      }
      case 'explorer': {
        const { values } = parseArgs({ args: rest, options: COMMANDS.explorer.options, strict: true });
        return await runExplorer(ctx, loadConfig(ctx.env), { host: values.host, port: parseExplorerPort(values.port) });
      }
      case 'demo':
        return await runDemo(ctx, rest);
      case 'simulator':
        return await runSimulator(ctx, rest);
    }
  } catch (error) {
    // Error messages can quote what the API or the database held: one line, nothing a terminal acts on.
    ctx.stderr.write(`flatfile-audit: ${escapeControl(describeError(error))}\n`);
    if (error instanceof ConfigError || String((error as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS')) return EXIT.usage;
    if (error instanceof AuditError && error.code === 'TOKEN_REJECTED') return EXIT.tokenRejected;
    if (error instanceof AuditError && error.code === 'QUERY_REFUSED') return EXIT.usage;
    // copy-store refused its target or source: it needs another one, as a usage error would.
    if (error instanceof AuditError && error.code === 'COPY_REFUSED') return EXIT.usage;
    return EXIT.failed;
  }
}

/** Writes `text` to stdout: help and version, which are answers, not errors. */
function print(ctx: CliContext, text: string): number {
  ctx.stdout.write(text);
  return EXIT.ok;
}

/** An option's value, which must not be empty. */
function requireText(option: string, value: string): string {
  if (value.trim() === '') throw new ConfigError(`${option} needs a value`);
  return value.trim();
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
