/**
 * Every command's synopsis and options, in one table: what `flatfile-audit --help` and
 * `flatfile-audit COMMAND --help` print, and what each command's parser accepts, so the two cannot
 * drift apart. The commands themselves stay in their own files.
 */
import type { ParseArgsConfig } from 'node:util';
import { DEFAULT_QUERY_TIMEOUT } from './query.js';

type Options = NonNullable<ParseArgsConfig['options']>;

export interface CommandSpec<O extends Options = Options> {
  /** The command's lines in the overview: its synopsis, and what it does. */
  synopsis: string;
  options: O;
  /**
   * One line per option for `COMMAND --help`, keyed like `options`, so none is left out; an option
   * that takes a value names it first (`['DURATION', 'how long …']`).
   */
  describe: { [K in keyof O]: O[K]['type'] extends 'string' ? readonly [string, string] : string };
}

const spec = <O extends Options>(s: CommandSpec<O>) => s;

export const COMMANDS = {
  worker: spec({
    synopsis: `  flatfile-audit worker                 the scheduled service: syncs on AUDIT_SYNC_CRON until stopped\n`,
    options: {},
    describe: {},
  }),
  sync: spec({
    synopsis:
      `  flatfile-audit sync [--no-wait] [--timeout 1h]\n` +
      `                                        ask the workers for an account sync now, and follow it\n` +
      `  flatfile-audit sync --once            sync every environment once, straight into the database (no Redis)\n` +
      `  flatfile-audit sync --once --environment ID [--since ISO]\n` +
      `                                        sync one environment; with --since, also store the events from then on that are missing\n`,
    options: {
      once: { type: 'boolean', default: false },
      'no-wait': { type: 'boolean', default: false },
      timeout: { type: 'string', default: '1h' },
      environment: { type: 'string' },
      since: { type: 'string' },
    },
    describe: {
      once: 'sync straight into AUDIT_DB from this process; no Redis, no worker needed',
      environment: ['ID', 'with --once: only this environment (its events, spaces, guests and agents)'],
      since: ['ISO', 'with --once --environment: list its events from this time too, storing only the missing ones; the cursor is left as it is'],
      'no-wait': 'queue the sync and return at once, without following it',
      timeout: ['DURATION', 'how long to follow the queued sync before giving up (default 1h)'],
    },
  }),
  query: spec({
    synopsis:
      `  flatfile-audit query "<SQL>" [--json | --csv] [--param name=value ...] [--max-rows 10000 | --all] [--timeout 60s]\n` +
      `                                        run a read-only query against the audit database\n` +
      `  flatfile-audit query --saved NAME [--param name=value ...] [--json | --csv]\n` +
      `                                        run a cookbook query by name; --list-saved lists them\n`,
    options: {
      saved: { type: 'string' },
      'list-saved': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      csv: { type: 'boolean', default: false },
      param: { type: 'string', multiple: true, default: [] },
      'max-rows': { type: 'string' },
      all: { type: 'boolean', default: false },
      timeout: { type: 'string', default: DEFAULT_QUERY_TIMEOUT },
    },
    describe: {
      saved: ['NAME', 'run the cookbook query NAME instead of a statement (its parameters with --param)'],
      'list-saved': 'list the cookbook: each query\'s name, question and parameters',
      json: 'print the rows as a JSON array',
      csv: 'print the rows as CSV',
      param: ['NAME=VALUE', 'a value for the named parameter :NAME of the query (repeat for more)'],
      'max-rows': ['N', 'stop after this many rows (default 10000)'],
      all: 'print every row',
      timeout: ['DURATION', 'stop the query after this long (default 60s)'],
    },
  }),
  status: spec({
    synopsis:
      `  flatfile-audit status [--json] [--no-queue]\n` +
      `                                        cursor, last sync and last error per environment, and the queue\n` +
      `  flatfile-audit status --check [--max-age 30m]\n` +
      `                                        for cron, Nagios or a probe: exit 0 if every environment synced\n` +
      `                                        within max-age, 1 if any is stale or failing, 3 if the token is rejected\n`,
    options: {
      json: { type: 'boolean', default: false },
      'no-queue': { type: 'boolean', default: false },
      check: { type: 'boolean', default: false },
      'max-age': { type: 'string' },
    },
    describe: {
      json: 'print the status as JSON',
      'no-queue': 'leave out the queue (no Redis needed)',
      check: 'one line per problem and an exit code; reads the database and asks the API whether the token is accepted, never Redis',
      'max-age': ['DURATION', "with --check: how recent every environment's last successful sync must be (default AUDIT_STALE_AFTER)"],
    },
  }),
  cursor: spec({
    synopsis:
      `  flatfile-audit cursor reset --environment ID --since ISO\n` +
      `                                        move one environment's cursor back: its next run re-reads from ISO\n`,
    options: { environment: { type: 'string' }, since: { type: 'string' } },
    describe: {
      environment: ['ID', 'the environment whose cursor moves back'],
      since: ['ISO', 'the time its next run re-reads from (required; never later than where it would read anyway)'],
    },
  }),
  reconcile: spec({
    synopsis:
      `  flatfile-audit reconcile [--window 7d] [--environment ID]\n` +
      `                                        list each environment's window again, store what the syncs missed,\n` +
      `                                        and print the drift (late events, how late, the lookback that would have caught them)\n`,
    options: { window: { type: 'string' }, environment: { type: 'string' } },
    describe: {
      window: ['DURATION', 'how far back from now to list again (default AUDIT_RECONCILE_WINDOW, 7d)'],
      environment: ['ID', 'only this environment'],
    },
  }),
  verify: spec({
    synopsis:
      `  flatfile-audit verify [--json]        recompute the events' hash chains, the inventories' change log and\n` +
      `                                        the versions (who was who): was any row changed or deleted?\n` +
      `  flatfile-audit verify --checkpoints FILE [--public-key FILE ...] [--json]\n` +
      `                                        also check the database against the checkpoints kept outside it\n`,
    options: { json: { type: 'boolean', default: false }, checkpoints: { type: 'string' }, 'public-key': { type: 'string', multiple: true, default: [] } },
    describe: {
      json: 'print the findings as JSON',
      checkpoints: ['FILE', 'a checkpoint file (AUDIT_CHECKPOINT_FILE) to check the database against'],
      'public-key': ['FILE', 'a public key the checkpoints must be signed with (repeat across a key rotation)'],
    },
  }),
  token: spec({
    synopsis:
      `  flatfile-audit token rotate [--name NAME] [--revoke-id ID]\n` +
      `                                        a new Personal Access Token into FLATFILE_TOKEN_FILE, checked, then the old one deleted\n`,
    options: { name: { type: 'string' }, 'revoke-id': { type: 'string' } },
    describe: {
      name: ['NAME', 'the new token\'s name in Flatfile (default "flatfile-audit <time>")'],
      'revoke-id': ['ID', 'delete this token (us_pat_…) once the new one works, instead of the one token rotate wrote last time'],
    },
  }),
  keygen: spec({
    synopsis: `  flatfile-audit keygen --out DIR       write an Ed25519 key pair for signing checkpoints\n`,
    options: { out: { type: 'string' } },
    describe: { out: ['DIR', 'the directory for signing-key.pem and signing-key.pub.pem'] },
  }),
  backup: spec({
    synopsis:
      `  flatfile-audit backup DEST            an online copy of the SQLite store while workers write, verified;\n` +
      `                                        replaces DEST only if it is an earlier backup\n`,
    options: {},
    describe: {},
  }),
  'copy-store': spec({
    synopsis:
      `  flatfile-audit copy-store --to postgres://user@host/db [--batch 2000]\n` +
      `                                        copy the SQLite store at AUDIT_DB into PostgreSQL, then verify it there;\n` +
      `                                        run again to continue an interrupted copy or to copy what was synced since\n`,
    options: { to: { type: 'string' }, batch: { type: 'string' } },
    describe: {
      to: ['URL', 'the PostgreSQL store to copy into (schema: AUDIT_DATABASE_SCHEMA, default public); leave the password to PGPASSWORD or PGPASSFILE'],
      batch: ['N', 'rows per transaction (default 2000)'],
    },
  }),
  export: spec({
    synopsis:
      `  flatfile-audit export [--format ndjson|csv] [--since ISO] [--until ISO] [--environment ID] [--after POSITION] [--out FILE]\n` +
      `                                        stream audit_trail rows in the order they were stored; prints next: POSITION on stderr\n`,
    options: {
      format: { type: 'string', default: 'ndjson' },
      since: { type: 'string' },
      until: { type: 'string' },
      environment: { type: 'string' },
      after: { type: 'string' },
      out: { type: 'string' },
    },
    describe: {
      format: ['ndjson|csv', 'one JSON object per line (default), or CSV with formula-looking cells neutralised'],
      since: ['ISO', 'only events created at or after this instant'],
      until: ['ISO', 'only events created before this instant'],
      environment: ['ID', 'only this environment'],
      after: ['POSITION', 'only rows stored after the "next:" position an earlier export printed'],
      out: ['FILE', 'write to this new file (mode 0600) instead of stdout'],
    },
  }),
  prune: spec({
    synopsis:
      `  flatfile-audit prune --before DATE [--archive FILE | --no-archive]\n` +
      `                                        archive, then delete, each environment's events created before DATE\n` +
      `                                        from the start of its chain; verify starts from the recorded cut\n`,
    options: { before: { type: 'string' }, archive: { type: 'string' }, 'no-archive': { type: 'boolean', default: false } },
    describe: {
      before: ['DATE', 'prune events created before this ISO date or instant (a time needs its zone)'],
      archive: ['FILE', 'the gzip NDJSON archive to write first (a new file, mode 0600; default: a new file in AUDIT_ARCHIVE_DIR)'],
      'no-archive': 'delete without writing an archive',
    },
  }),
  explorer: spec({
    synopsis:
      `  flatfile-audit explorer [--port 8788] [--host 127.0.0.1]\n` +
      `                                        serve the read-only audit explorer: the trail, actors, environments, guest access, tokens in a browser\n`,
    options: { port: { type: 'string', default: '8788' }, host: { type: 'string', default: '127.0.0.1' } },
    describe: {
      port: ['N', 'the port to listen on (default 8788; 0 picks a free one)'],
      host: ['HOST', 'the address to listen on (default 127.0.0.1; beyond loopback AUDIT_DASHBOARD_PASSWORD is required)'],
    },
  }),
  demo: spec({
    synopsis: `  flatfile-audit demo                   sync the bundled API simulator into ./data/demo.db and show answers\n`,
    options: { db: { type: 'string', default: './data/demo.db' } },
    describe: { db: ['PATH', 'where the demo database goes (default ./data/demo.db; only a database the demo made is replaced)'] },
  }),
  simulator: spec({
    synopsis:
      `  flatfile-audit simulator [--port 8787] [--environments 3] [--events 500] [--seed 1]\n` +
      `                                        serve the bundled Flatfile API simulator\n`,
    options: {
      port: { type: 'string', default: '8787' },
      host: { type: 'string', default: '127.0.0.1' },
      environments: { type: 'string', default: '3' },
      events: { type: 'string', default: '500' },
      seed: { type: 'string', default: '1' },
      token: { type: 'string', default: 'sk_sim_pat_default' },
    },
    describe: {
      port: ['N', 'the port to listen on (default 8787; 0 picks a free one)'],
      host: ['HOST', 'the address to listen on (default 127.0.0.1)'],
      environments: ['N', 'environments in the simulated account (default 3)'],
      events: ['N', 'events per environment (default 500)'],
      seed: ['N', 'seed of the generated data (default 1)'],
      token: ['TOKEN', 'the Personal Access Token the simulator accepts (default sk_sim_pat_default)'],
    },
  }),
};

export type CommandName = keyof typeof COMMANDS;

export function isCommand(name: string): name is CommandName {
  return Object.prototype.hasOwnProperty.call(COMMANDS, name);
}

const FOOTER =
  `settings come from environment variables (FLATFILE_TOKEN, AUDIT_DB, ...): see README.md;\n` +
  `Flatfile's own FLATFILE_API_URL, FLATFILE_REGION, FLATFILE_BEARER_TOKEN and FLATFILE_API_KEY work too.\n` +
  `exit codes: 0 ok, 1 sync failed or partial, 2 bad usage or settings, 3 token rejected.\n`;

/** `flatfile-audit --help`: every command's synopsis. */
export function overview(): string {
  return (
    `flatfile-audit: a Flatfile audit trail in SQLite\n\nusage:\n` +
    Object.values(COMMANDS).map((c) => c.synopsis).join('') +
    `  flatfile-audit COMMAND --help         what a command does and its options\n` +
    `  flatfile-audit --version              the version\n` +
    `\n${FOOTER}`
  );
}

/** `flatfile-audit COMMAND --help`: its synopsis and each option. */
export function commandHelp(name: CommandName): string {
  const command = COMMANDS[name] as { synopsis: string; options: Options; describe: Record<string, string | readonly [string, string]> };
  const describe = command.describe;
  const rows = Object.keys(command.options).map((option) => {
    const line = describe[option]!;
    return typeof line === 'string' ? [`--${option}`, line] : [`--${option} ${line[0]}`, line[1]];
  });
  rows.push(['-h, --help', 'this help']);
  const width = Math.max(...rows.map(([left]) => left!.length)) + 2;
  return `usage:\n${command.synopsis}\noptions:\n${rows.map(([left, text]) => `  ${left!.padEnd(width)}${text}\n`).join('')}\n${FOOTER}`;
}
