/**
 * Reconciliation of every environment the API lists (or one of them), one after the other: a daily
 * re-read need not be fast, and one at a time it leaves the API's rate limit to the syncs. An
 * environment whose listing fails is reported and the others go on (as in sync-environment.ts);
 * anything else (a rejected token, the store) stops the run.
 */
import { describeError, UnknownEnvironmentError } from '../errors.js';
import { listEnvironments } from '../flatfile/environments.js';
import { isEnvironmentScoped } from './errors.js';
import { reconcileEnvironment, type EnvironmentReconcile, type ReconcileDeps, type ReconcileOptions } from './reconcile-environment.js';

export type EnvironmentReconcileReport = { environmentId: string; name: string } & (EnvironmentReconcile | { status: 'failed'; error: string });

export async function reconcileAccount(deps: ReconcileDeps, options: ReconcileOptions, only?: string): Promise<EnvironmentReconcileReport[]> {
  const listed = await listEnvironments(deps.http, options.pageSize, deps.signal);
  const environments = only === undefined ? listed.records : listed.records.filter((e) => e.id === only);
  if (only !== undefined && environments.length === 0) throw new UnknownEnvironmentError(only, `the API lists ${listed.records.length} environment(s) for this token, not this one`);
  const reports: EnvironmentReconcileReport[] = [];
  for (const environment of environments) {
    const log = deps.log.child({ envId: environment.id });
    try {
      reports.push({ environmentId: environment.id, name: environment.name, ...(await reconcileEnvironment({ ...deps, log }, environment.id, options)) });
    } catch (error) {
      if (!isEnvironmentScoped(error)) throw error;
      log.error({ err: error }, 'reconcile of this environment failed');
      reports.push({ environmentId: environment.id, name: environment.name, status: 'failed', error: describeError(error) });
    }
  }
  return reports;
}
