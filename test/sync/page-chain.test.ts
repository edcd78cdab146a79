/** PageChain: one request at a time, each only after the page before it was answered; pages taken in order; stops at the end. */
import { describe, expect, it } from 'vitest';
import { PageChain } from '../../src/sync/page-chain.js';

function fakeListing(sizes: number[], latencyMs = 2) {
  const log: Array<{ page: number; at: 'sent' | 'answered' }> = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const fetch = async (page: number, signal: AbortSignal) => {
    log.push({ page, at: 'sent' });
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    await new Promise((resolve, reject) => {
      const timer = setTimeout(resolve, latencyMs);
      signal.addEventListener('abort', () => (clearTimeout(timer), reject(new Error('aborted'))), { once: true });
    }).finally(() => (inFlight -= 1));
    log.push({ page, at: 'answered' });
    return { page, served: sizes[page - 1] ?? 0 };
  };
  return { fetch, log, maxInFlight: () => maxInFlight };
}

describe('PageChain', () => {
  it('asks for each page only once the one before it is answered, and stops at the first empty page', async () => {
    const listing = fakeListing([10, 10, 10, 3]);
    const chain = new PageChain(listing.fetch, 1, 3);
    const taken = [];
    for (;;) {
      const page = await chain.take();
      taken.push(page.page);
      if (page.served === 0) break;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(taken).toEqual([1, 2, 3, 4, 5]);
    expect(listing.maxInFlight()).toBe(1);
    expect(listing.log.map((e) => `${e.at} ${e.page}`)).toEqual(['sent 1', 'answered 1', 'sent 2', 'answered 2', 'sent 3', 'answered 3', 'sent 4', 'answered 4', 'sent 5', 'answered 5']);
  });

  it('keeps at most `buffered` pages ahead of the caller', async () => {
    const listing = fakeListing(Array(50).fill(10));
    const chain = new PageChain(listing.fetch, 7, 2);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(listing.log.filter((e) => e.at === 'sent').map((e) => e.page)).toEqual([7, 8]);
    expect((await chain.take()).page).toBe(7);
    chain.stop();
  });

  it('stop() aborts the request under way and asks for nothing more', async () => {
    const listing = fakeListing(Array(50).fill(10), 30);
    const chain = new PageChain(listing.fetch, 1, 4);
    await new Promise((resolve) => setTimeout(resolve, 5));
    chain.stop();
    await expect(chain.take()).rejects.toThrow('aborted');
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(listing.log).toEqual([{ page: 1, at: 'sent' }]);
  });
});
