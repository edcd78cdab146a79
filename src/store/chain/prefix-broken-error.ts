import { AuditError } from '../../errors.js';

/**
 * The events a prune was about to remove are not all there: something deleted them outside
 * flatfile-audit. Pruning them anyway would pass that deletion off as a prune, so the step is
 * refused (rule 13 of audit-store.ts) and nothing of it is deleted.
 */
export class PrefixBrokenError extends AuditError {
  constructor(environmentId: string, fromSeq: number, toSeq: number) {
    super('STORE_FAILED', `refusing to prune environment ${environmentId}: events ${fromSeq}..${toSeq} of its chain are not all there (deleted outside flatfile-audit?); run flatfile-audit verify`);
  }
}
