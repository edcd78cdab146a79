/**
 * The fault suite's summary table. Vitest runs each test file in its own process, one after the
 * other (vitest.faults.config.ts), all children of one vitest process: each case appends a JSON
 * line to a results file named after that parent, each file prints its own rows when it ends, and
 * the file that completes the set prints the whole table and removes the results file.
 */
import { appendFileSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, onTestFinished } from 'vitest';
import type { Tally } from './ground-truth.js';

const FAULTS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');

interface Row {
  file: string;
  case: string;
  runs: number;
  expected: number | null;
  stored: number | null;
  missing: number | null;
  duplicated: number | null;
  outcome: string;
}

type Line = Row | { file: string; done: true };

/** What one case fills in while it runs; written to the table when the test ends, pass or fail. */
export interface FaultCase {
  /** CLI invocations or worker-driven account syncs. */
  runs: number;
  /** What happened, in a few words (exit codes, kills, faults met). */
  note: string;
  /** The final comparison with the ground truth; null until the case computes it. */
  tally: Tally | null;
}

/** Registers the current test as a row of the summary table. */
export function faultCase(name: string): FaultCase {
  const record: FaultCase = { runs: 0, note: '', tally: null };
  const file = basename(expect.getState().testPath ?? 'unknown');
  onTestFinished((ctx) => {
    const state = ctx.task.result?.state;
    const firstError = ctx.task.result?.errors?.[0]?.message?.split('\n')[0]?.slice(0, 90) ?? '';
    let outcome: string;
    if (ctx.task.fails) outcome = state === 'fail' ? `KNOWN BUG (it.fails): ${record.note || firstError}` : 'it.fails passed: fixed, or a precondition broke';
    else outcome = state === 'pass' ? `ok: ${record.note}` : `FAILED: ${firstError}`;
    const t = record.tally;
    append({
      file, case: name, runs: record.runs,
      expected: t?.expected ?? null, stored: t?.stored ?? null, missing: t?.missing ?? null, duplicated: t?.duplicated ?? null,
      outcome,
    });
  });
  return record;
}

/** Call once at the top of every fault test file: prints its rows, and the whole table once every file is in. */
export function printSummaryAfterAll(): void {
  const file = basename(expect.getState().testPath ?? 'unknown');
  afterAll(() => {
    append({ file, done: true });
    const lines = readLines();
    const mine = lines.filter((l): l is Row => !('done' in l) && l.file === file);
    if (mine.length > 0) console.log(`fault cases of ${file}:\n${formatTable(mine)}`);
    const done = new Set(lines.filter((l) => 'done' in l).map((l) => l.file));
    const all = readdirSync(FAULTS_DIR).filter((f) => f.endsWith('.test.ts'));
    removeStaleResults();
    if (all.every((f) => done.has(f))) {
      // By case number (the leading digits); within a case, in the order they ran.
      const rows = lines.filter((l): l is Row => !('done' in l)).sort((a, b) => (parseInt(a.case, 10) || 0) - (parseInt(b.case, 10) || 0));
      console.log(`\n== fault-injection suite summary (${rows.length} cases, ${all.length} files) ==\n${formatTable(rows)}`);
      rmSync(resultsPath(), { force: true });
    }
  });
}

function formatTable(rows: Row[]): string {
  const header = ['case', 'runs', 'expected', 'stored', 'missing', 'duplicated', 'outcome'];
  const cells = rows.map((r) => [r.case, r.runs, r.expected, r.stored, r.missing, r.duplicated, r.outcome].map((v) => (v === null ? '-' : String(v))));
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const format = (c: string[]) => c.map((v, i) => (i >= 1 && i <= 5 ? v.padStart(widths[i]!) : v.padEnd(widths[i]!))).join('  ').trimEnd();
  return [format(header), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(format)].join('\n');
}

function append(line: Line): void {
  appendFileSync(resultsPath(), `${JSON.stringify(line)}\n`);
}

function readLines(): Line[] {
  try {
    return readFileSync(resultsPath(), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Line);
  } catch {
    return [];
  }
}

/** Results files of vitest runs that ended before every file reported (a filtered run, a crash). */
function removeStaleResults(): void {
  for (const name of readdirSync(tmpdir())) {
    const pid = /^flatfile-audit-faults-(\d+)-/.exec(name)?.[1];
    if (pid === undefined || Number(pid) === process.ppid) continue;
    try {
      process.kill(Number(pid), 0);
    } catch (error) {
      // ESRCH: that vitest process is gone (EPERM would mean alive, under another user)
      if ((error as NodeJS.ErrnoException).code === 'ESRCH') rmSync(join(tmpdir(), name), { force: true });
    }
  }
}

/** One file per vitest run: named after the parent process (the vitest main process) and its start time. */
function resultsPath(): string {
  let started = '';
  try {
    // Field 22 of /proc/<pid>/stat is the start time: a reused pid does not pick up an old file.
    started = readFileSync(`/proc/${process.ppid}/stat`, 'utf8').split(') ')[1]?.split(' ')[19] ?? '';
  } catch {
    // not Linux: the pid alone
  }
  return join(tmpdir(), `flatfile-audit-faults-${process.ppid}-${started}.jsonl`);
}
