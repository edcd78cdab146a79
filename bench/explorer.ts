/**
 * `npm run bench:explorer -- [--events 1000000] [--environments 8] [--runs 21] [--store sqlite|postgres|both]
 * [--out bench/results/explorer-latest.json] [--pages REGEX] [--keep-sqlite FILE] [--keep-postgres fa_bench_NAME]`: the explorer's server time per page over a synthetic
 * trail, on its own (`npm run bench -- --explorer` runs the same after the sync figures). PostgreSQL
 * `--pages` times only the pages whose name matches; `--keep-*` write the trail once and reuse it on
 * later runs (neither is removed; delete the file / drop the database yourself). PostgreSQL
 * is BENCH_POSTGRES_URL (or BENCH_POSTGRES_ADMIN_URL), default 127.0.0.1:5432.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { describeMachine } from './machine.js';
import { runExplorerBench } from './run-explorer-bench.js';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '1000000' },
    environments: { type: 'string', default: '8' },
    runs: { type: 'string', default: '21' },
    store: { type: 'string', default: 'both' },
    out: { type: 'string', default: 'bench/results/explorer-latest.json' },
    pages: { type: 'string' },
    'keep-sqlite': { type: 'string' },
    'keep-postgres': { type: 'string' },
  },
});
const whole = (name: string, text: string, min: number): number => {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) {
    process.stderr.write(`--${name} must be a whole number of at least ${min}, got "${text}"\n`);
    process.exit(2);
  }
  return value;
};
if (!['sqlite', 'postgres', 'both'].includes(values.store)) {
  process.stderr.write(`--store must be sqlite, postgres or both, got "${values.store}"\n`);
  process.exit(2);
}
const stores = values.store === 'both' ? (['sqlite', 'postgres'] as const) : [values.store as 'sqlite' | 'postgres'];
const environments = whole('environments', values.environments, 1);
const result = await runExplorerBench({
  events: whole('events', values.events, environments),
  environments,
  runs: whole('runs', values.runs, 1),
  stores,
  pages: values.pages === undefined ? undefined : new RegExp(values.pages),
  keepSqlite: values['keep-sqlite'],
  keepPostgres: values['keep-postgres'],
  postgresUrl: process.env.BENCH_POSTGRES_URL ?? process.env.BENCH_POSTGRES_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
}, (line) => process.stderr.write(`[bench:explorer] ${line}\n`));
writeFileSync(values.out, `${JSON.stringify({ date: new Date().toISOString(), machine: describeMachine(), ...result }, null, 2)}\n`);
process.stderr.write(`written ${values.out}\n`);
