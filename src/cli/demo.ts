/**
 * `flatfile-audit demo`: the first thing a newcomer runs. Starts the bundled API simulator with a
 * small account whose history ends now, syncs it into a fresh demo database through the same code
 * path as a real sync, then lets a little time pass in the account (a user renamed, a guest's access
 * taken away, new events) and syncs again, as the scheduled runs would; and prints a few audit
 * answers, among them the renamed user's events under the name they had at the time. It replaces
 * only a database it made itself (see demo-database.ts).
 */
import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { COOKBOOK, cookbookSql } from '../cookbook.js';
import { startSimulator, type Simulator } from '../simulator/index.js';
import { COMMANDS } from './commands.js';
import { EXIT, type CliContext } from './context.js';
import { createDemoDatabase } from '../store/demo-database.js';
import { storeDialect, type StoreSettings } from '../store/open-store.js';
import { clearDemoDatabase } from './demo-database.js';
import { DEFAULT_MAX_ROWS, runQuery } from './query.js';
import { syncOnce } from './sync-once.js';

const DEMO_QUERIES = ['last-24h', 'per-environment', 'agents-deployed', 'spaces-per-environment', 'guest-access', 'access-changes-7d', 'unresolved-actors'];

/** Who was who: the renamed user's events counted under the name shown on each row and today's. */
const RENAMED_SQL = `SELECT actor_name AS name_at_the_time, actor_current_name AS name_today, COUNT(*) AS events
FROM audit_trail WHERE actor_id = '{id}' GROUP BY 1, 2 ORDER BY MIN(created_at)`;

export async function runDemo(ctx: CliContext, args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: COMMANDS.demo.options, strict: true });
  const dbPath = values.db;
  clearDemoDatabase(dbPath);
  // Marked before the sync, so a demo interrupted halfway still leaves a file the next demo may replace.
  createDemoDatabase(dbPath);

  const pat = 'sk_demo_personal_access_token';
  const simulator = await startSimulator({ seed: 7, now: new Date(), historyDays: 7, pats: [pat] });
  try {
    ctx.stdout.write(`Flatfile API simulator listening on ${simulator.url}\nsyncing into ${dbPath} ...\n\n`);
    const env: Record<string, string | undefined> = {
      ...ctx.env,
      // Flatfile's form, as a Flatfile user writes it; whatever Flatfile variables the shell carries are set aside.
      FLATFILE_API_URL: simulator.url.replace(/\/v1$/, ''),
      FLATFILE_REGION: undefined,
      FLATFILE_TOKEN: pat,
      FLATFILE_BEARER_TOKEN: undefined,
      FLATFILE_API_KEY: undefined,
      FLATFILE_TOKEN_FILE: undefined,
      FLATFILE_CLIENT_ID: undefined,
      FLATFILE_SECRET: undefined,
      AUDIT_DB: dbPath,
      LOG_LEVEL: ctx.env.LOG_LEVEL ?? 'warn',
    };
    const first = await syncOnce({ ...ctx, env });
    if (first !== EXIT.ok) return first;
    const renamed = passTime(simulator.sim);
    ctx.stdout.write(`\nmeanwhile: ${renamed.before} renamed to ${renamed.after}, a guest's access to a space revoked, new events; syncing again ...\n\n`);
    const second = await syncOnce({ ...ctx, env });
    if (second !== EXIT.ok) return second;
    const store = { dbPath };
    const names = await queryText(store, RENAMED_SQL.replace('{id}', renamed.id), ctx.stderr);
    ctx.stdout.write(`\n## Who was who: ${renamed.after}'s events, under the name each row had at the time\n${names.trimEnd()}\n`);
    for (const name of DEMO_QUERIES) {
      const query = COOKBOOK.find((q) => q.name === name)!;
      const output = (await queryText(store, cookbookSql(query, storeDialect(store)), ctx.stderr)).split('\n');
      const shown = output.length > 14 ? [...output.slice(0, 12), `... ${output.at(-2)}`] : output;
      ctx.stdout.write(`\n## ${query.question}\n${shown.join('\n').trimEnd()}\n`);
    }
    ctx.stdout.write(
      `\nThe audit trail is in ${dbPath}. Ask it anything, for example:\n` +
        `  AUDIT_DB=${dbPath} npx flatfile-audit query "SELECT actor_type, COUNT(*) FROM audit_trail GROUP BY 1"\n` +
        `  AUDIT_DB=${dbPath} npx flatfile-audit status\n`,
    );
    return EXIT.ok;
  } finally {
    await simulator.close();
  }
}

/**
 * What the next scheduled run would find: the first user who acted renamed (their old events keep
 * the old name), a guest's space taken away, and a few events by the renamed user.
 */
function passTime(sim: Simulator): { id: string; before: string; after: string } {
  const environment = sim.environments()[0]!;
  const acted = new Set(sim.events(environment.id).map((e) => e.context.actorId));
  const user = sim.users().find((u) => acted.has(u.id)) ?? sim.users()[0]!;
  const after = `${user.name} (renamed)`;
  sim.renameUser(user.id, { name: after });
  const guest = sim.guests(environment.id).find((g) => g.spaces.length > 0);
  if (guest) sim.removeGuestFromSpace(guest.id, guest.spaces[0]!.id);
  sim.addEvents(environment.id, 3, { actorId: user.id });
  return { id: user.id, before: user.name, after };
}

/** The cookbook query's table, as text. */
async function queryText(store: StoreSettings, sql: string, stderr: NodeJS.WritableStream): Promise<string> {
  let text = '';
  const stdout = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  await runQuery({ store, sql, format: 'table', maxRows: DEFAULT_MAX_ROWS, timeoutMs: 60_000 }, { stdout, stderr });
  return text;
}
