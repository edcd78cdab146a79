/** Whether a database holds exactly the events the simulator has: same ids, none missing, none extra. */
import Database from 'better-sqlite3';

export interface Exactness {
  exact: boolean;
  stored: number;
  truth: number;
  missing: number;
  extra: number;
}

export function compareWithTruth(dbPath: string, truthIds: readonly string[]): Exactness {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  let stored: string[];
  try {
    stored = db.prepare('SELECT id FROM events').pluck().all() as string[];
  } finally {
    db.close();
  }
  const truth = new Set(truthIds);
  const storedSet = new Set(stored);
  let missing = 0;
  for (const id of truth) if (!storedSet.has(id)) missing += 1;
  let extra = 0;
  for (const id of storedSet) if (!truth.has(id)) extra += 1;
  // Ids are the primary key, so stored.length === storedSet.size; checked anyway, since exact means exact.
  const exact = missing === 0 && extra === 0 && stored.length === truthIds.length && storedSet.size === stored.length;
  return { exact, stored: stored.length, truth: truthIds.length, missing, extra };
}
