/**
 * An analyst in other processes: every `everyMs` the sqlite3 CLI opens the database, counts the
 * events and exits, as an operator's shell loop, a cron job or a BI tool polling would. Each run is
 * a new process that opens and closes the file, and the CLI opens it read-write and checkpoints at
 * close when it believes it is the last connection: what once made the writer's commits invisible
 * (issue 10). better-sqlite3 readers do not checkpoint at close, so they would not show it.
 */
import { execFile } from 'node:child_process';
import { readdirSync, readlinkSync } from 'node:fs';
import { promisify } from 'node:util';
import { onTestFinished } from 'vitest';

const run = promisify(execFile);

/** One read by a new sqlite3 process: the count of events, or why it could not be read. */
export async function countWithSqliteCli(dbPath: string): Promise<ReaderSample> {
  try {
    const { stdout } = await run('sqlite3', ['-batch', '-cmd', '.timeout 5000', dbPath, 'SELECT COUNT(*) FROM events;']);
    return { at: Date.now(), count: Number(stdout.trim()) };
  } catch (error) {
    return { at: Date.now(), error: String((error as Error).message).split('\n')[0] };
  }
}

export interface ReaderSample {
  at: number;
  count?: number;
  error?: string;
}

export interface ReaderProcess {
  samples: ReaderSample[];
  /** The highest count read so far (0 before the first successful read). */
  maxCount(): number;
  /** Resolves once a read returns at least `count` (after the call), or rejects after `timeoutMs`. */
  seen(count: number, timeoutMs: number): Promise<ReaderSample>;
  stop(): Promise<void>;
}

/** Starts reading in a loop; it stops when the test ends. */
export function startReader(dbPath: string, everyMs = 50): ReaderProcess {
  const samples: ReaderSample[] = [];
  const waiters: Array<() => void> = [];
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      samples.push(await countWithSqliteCli(dbPath));
      for (const wake of waiters.splice(0)) wake();
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  const stop = async (): Promise<void> => {
    stopped = true;
    await loop;
  };
  onTestFinished(stop);
  const maxCount = (): number => samples.reduce((max, s) => Math.max(max, s.count ?? 0), 0);
  const seen = (count: number, timeoutMs: number): Promise<ReaderSample> =>
    new Promise((resolve, reject) => {
      const from = samples.length;
      const timer = setTimeout(() => reject(new Error(`a reader never saw ${count} events within ${timeoutMs} ms; it saw ${maxCount()} at most (last: ${JSON.stringify(samples.at(-1))})`)), timeoutMs);
      const check = (): void => {
        const hit = samples.slice(from).find((s) => (s.count ?? -1) >= count);
        if (hit) {
          clearTimeout(timer);
          resolve(hit);
        } else {
          waiters.push(check);
        }
      };
      check();
    });
  return { samples, maxCount, seen, stop };
}

/** Files of the database (`dbPath`, `-wal`, `-shm`) that process `pid` holds open after they were unlinked. */
export function unlinkedDatabaseFiles(pid: number, dbPath: string): string[] {
  const held: string[] = [];
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    let target: string;
    try {
      target = readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      continue; // closed between the listing and the look
    }
    if (target.startsWith(dbPath) && target.endsWith(' (deleted)')) held.push(target);
  }
  return held;
}
