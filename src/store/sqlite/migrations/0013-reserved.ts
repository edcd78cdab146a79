/**
 * Reserved: version 13 belongs to a migration of another branch (assigned in parallel); the lead
 * renumbers contiguously at merge. Does nothing here, so the versions after it line up.
 */
export const sql = ``;
