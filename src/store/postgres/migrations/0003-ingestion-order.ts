/**
 * Positions in ingestion order (store rule 9; why this scheme: ../trail-query.ts) and forwarders'
 * positions (rule 10). Each event gets the id of the transaction that stored it (xid8: 64 bits,
 * never wraps) and a number from a sequence. Events stored before this version come first, with
 * transaction id 0, numbered in the order they were ingested (by time, then environment and chain
 * sequence: the order each chain was built in). ALTER TABLE locks events for the migration, so no
 * writer runs meanwhile.
 */
export const sql = `
CREATE SEQUENCE events_ingest_seq AS bigint;
ALTER TABLE events ADD COLUMN ingest_xid xid8, ADD COLUMN ingest_seq bigint;
UPDATE events e SET ingest_xid = '0'::xid8, ingest_seq = o.n
FROM (SELECT id, row_number() OVER (ORDER BY ingested_at, environment_id, chain_seq) AS n FROM events) o
WHERE o.id = e.id;
SELECT setval('events_ingest_seq', COALESCE(max(ingest_seq), 0) + 1, false) FROM events;
ALTER TABLE events
  ALTER COLUMN ingest_xid SET DEFAULT pg_current_xact_id(),
  ALTER COLUMN ingest_xid SET NOT NULL,
  ALTER COLUMN ingest_seq SET DEFAULT nextval('events_ingest_seq'),
  ALTER COLUMN ingest_seq SET NOT NULL;
ALTER SEQUENCE events_ingest_seq OWNED BY events.ingest_seq;
CREATE INDEX events_ingestion ON events (ingest_xid, ingest_seq);

CREATE TABLE forward_positions (
  destination   text COLLATE "C" PRIMARY KEY,
  position      text NOT NULL,
  forwarded     bigint NOT NULL DEFAULT 0,
  updated_at    timestamptz NOT NULL,
  last_error    text,
  last_error_at timestamptz
);
`;
