/**
 * verify walks each environment's chain in sequence order, not in rowid order (which a deleted and
 * re-inserted row, or a VACUUM, changes): this index makes that walk a scan instead of a sort.
 */
export const sql = `
CREATE INDEX events_chain ON events(environment_id, chain_seq);
`;
