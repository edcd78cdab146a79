/**
 * `npm run bench`: measures the sync against the simulator, on SQLite and on PostgreSQL (`--stores`
 * picks), and writes `<out-dir>/<name>.json` and, with SQLite, `<name>.svg` (bench/results/latest.*
 * by default); `--quick` runs the same set, small. `--explorer` adds the explorer's server time per
 * page at 1M events on the same stores (issue 15), `--explorer-only` measures only that.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseBenchArgs } from './options.js';
import { describeMachine } from './machine.js';
import { renderPlot } from './plot.js';
import { formatPostgresTable } from './postgres-table.js';
import { runBench } from './run-bench.js';
import { runPostgresBench } from './run-postgres-bench.js';
import { formatExplorerTable } from './explorer-table.js';
import { runExplorerBench } from './run-explorer-bench.js';
import { formatTable } from './table.js';

let options;
try {
  options = parseBenchArgs(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
}
const workDir = mkdtempSync(join(tmpdir(), 'flatfile-audit-bench-'));
const say = (line: string): void => {
  process.stderr.write(`[bench] ${line}\n`);
};
try {
  const started = performance.now();
  const sync = !options.explorer.only;
  const sqlite = sync && options.stores.includes('sqlite') ? await runBench(options, workDir, say) : undefined;
  const postgres = sync && options.stores.includes('postgres') ? await runPostgresBench(options, say) : undefined;
  const explorer = options.explorer.run
    ? await runExplorerBench({ events: options.explorer.events, environments: options.environments, runs: options.explorer.runs, stores: options.stores, postgresUrl: options.postgresUrl }, say)
    : undefined;
  const machine = sqlite?.machine ?? describeMachine();
  const totalS = Math.round((performance.now() - started) / 100) / 10;
  mkdirSync(options.outDir, { recursive: true });
  const jsonPath = join(options.outDir, `${options.name}.json`);
  const svgPath = join(options.outDir, `${options.name}.svg`);
  const written = [jsonPath];
  const result = sqlite ? { ...sqlite, postgres, explorer } : { machine, quick: options.quick, sizes: { small: options.events, big: options.bigEvents }, postgres, explorer, totalS };
  writeFileSync(jsonPath, `${JSON.stringify(result, null, 2)}\n`);
  if (sqlite) {
    writeFileSync(svgPath, renderPlot(sqlite));
    written.push(svgPath);
    process.stdout.write(`\nSQLite\n${formatTable(sqlite)}`);
  }
  if (postgres) process.stdout.write(`\nPostgreSQL ${postgres.server}\n${formatPostgresTable(postgres, { small: options.events, big: options.bigEvents }, options.quick)}`);
  if (explorer) process.stdout.write(`\n${formatExplorerTable(explorer)}`);
  process.stdout.write(`\nmachine: ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGb} GB, node ${machine.node}; whole run ${totalS} s\nwrote ${written.join(' and ')}\n`);
} finally {
  rmSync(workDir, { recursive: true, force: true });
}
