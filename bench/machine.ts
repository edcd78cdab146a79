/** What the figures were measured on; ratios travel between machines, absolute times do not. */
import { cpus, freemem, totalmem } from 'node:os';
import Database from 'better-sqlite3';

export interface Machine {
  cpus: number;
  cpuModel: string;
  node: string;
  memoryGb: number;
  freeMemoryGb: number;
  platform: string;
  sqlite: string;
}

export function describeMachine(): Machine {
  const list = cpus();
  const db = new Database(':memory:');
  const sqlite = db.prepare('SELECT sqlite_version()').pluck().get() as string;
  db.close();
  return {
    cpus: list.length,
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    node: process.version,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    freeMemoryGb: Math.round(freemem() / 2 ** 30),
    platform: `${process.platform} ${process.arch}`,
    sqlite,
  };
}
