/** Remembers the page size the server really applied to an interrupted listing (see ListingProgress.pageFill). */
export const sql = `
ALTER TABLE sync_cursors ADD COLUMN listing_page_fill INTEGER;
`;
