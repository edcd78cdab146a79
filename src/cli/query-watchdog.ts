/**
 * A thread of the query process (see query-process.ts) that kills the process when its parent is
 * gone (the process was re-parented) or its deadline has passed, even while the statement's own
 * thread is stuck inside SQLite.
 */
import { workerData } from 'node:worker_threads';

const { ppid, killAt } = workerData as { ppid: number; killAt: number };

setInterval(() => {
  if (process.ppid !== ppid || Date.now() >= killAt) process.kill(process.pid, 'SIGKILL');
}, 250);
