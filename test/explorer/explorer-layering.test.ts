/**
 * The explorer sits below the CLI (cli/bench → jobs → ops/sync/simulator/explorer → store → config →
 * leaf modules): nothing under src/explorer may import from the CLI, the jobs or the benchmark.
 * What both the CLI and the explorer need (safe text, row streams) lives in src/output.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const EXPLORER = join(ROOT, 'src/explorer');
const ABOVE = ['src/cli/', 'jobs/', 'bench/'];

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

it('imports nothing from a layer above it', () => {
  const files = sources(EXPLORER);
  expect(files.length).toBeGreaterThan(10);
  const upward: string[] = [];
  for (const file of files) {
    for (const m of readFileSync(file, 'utf8').matchAll(/^\s*(?:import|export)\b[^;]*?from\s+'(\.[^']+)'/gms)) {
      const target = relative(ROOT, resolve(join(file, '..'), m[1]!));
      if (ABOVE.some((layer) => target.startsWith(layer))) upward.push(`${relative(ROOT, file)} → ${target}`);
    }
  }
  expect(upward).toEqual([]);
});
