/** The start of the UTC hour of an event's created_at, whatever the session's TimeZone: event_counts.hour (rule 19). */
export const PG_HOUR = `date_trunc('hour', created_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'`;
