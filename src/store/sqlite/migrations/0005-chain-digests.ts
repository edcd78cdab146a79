/**
 * The chain's second form (see event-chain.ts): a row's hash links the previous hash to the row's
 * digest, so the digest can be computed outside the write transaction. Rows already chained keep
 * their first-form hashes; `v1_through_seq` tells verify where each environment's chain changes form.
 */
export const sql = `
ALTER TABLE event_chains ADD COLUMN v1_through_seq INTEGER NOT NULL DEFAULT 0;
UPDATE event_chains SET v1_through_seq = last_seq;
`;
