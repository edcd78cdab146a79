/**
 * `npm run bench`: measures the sync against the simulator and writes `<out-dir>/<name>.json`
 * and `<name>.svg` (bench/results/latest.* by default); `--quick` runs the same set, small.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseBenchArgs } from './options.js';
import { renderPlot } from './plot.js';
import { runBench } from './run-bench.js';
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
  const result = await runBench(options, workDir, say);
  mkdirSync(options.outDir, { recursive: true });
  const jsonPath = join(options.outDir, `${options.name}.json`);
  const svgPath = join(options.outDir, `${options.name}.svg`);
  writeFileSync(jsonPath, `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(svgPath, renderPlot(result));
  process.stdout.write(`\n${formatTable(result)}\nmachine: ${result.machine.cpus} × ${result.machine.cpuModel}, ${result.machine.memoryGb} GB, node ${result.machine.node}; whole run ${result.totalS} s\nwrote ${jsonPath} and ${svgPath}\n`);
} finally {
  rmSync(workDir, { recursive: true, force: true });
}
