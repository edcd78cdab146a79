/**
 * The trail's order is newest first with ties on the time broken by event id (the explorer's keyset,
 * the downloads). With the time alone indexed, SQLite sorted the rows of one timestamp, and for a
 * filter no index serves (domain, space) it chose to sort every matching row instead of walking the
 * time index and stopping at the page's end. An index on both columns gives the whole order, and it
 * serves every lookup the time-only index did, which it replaces.
 */
export const sql = `
CREATE INDEX events_time_id ON events(created_at, id);
DROP INDEX events_time;
`;
