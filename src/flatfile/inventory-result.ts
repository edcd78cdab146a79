/** A validated inventory listing: the records, plus how many items lacked what a record needs. */
export interface Listing<T> {
  records: T[];
  /** Items skipped for want of an id (or another required field); each is logged by the caller. */
  invalid: Array<{ reason: string }>;
}

/** Applies `parse` to each item, sorting the outcomes into records and invalid items. */
export function toListing<T>(items: unknown[], parse: (item: unknown) => T | string): Listing<T> {
  const listing: Listing<T> = { records: [], invalid: [] };
  for (const item of items) {
    const parsed = parse(item);
    if (typeof parsed === 'string') listing.invalid.push({ reason: parsed });
    else listing.records.push(parsed);
  }
  return listing;
}
