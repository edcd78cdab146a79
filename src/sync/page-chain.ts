/**
 * The pages of one offset listing, fetched strictly one after the other: a page is requested only
 * once the page before it has been answered, so the server serves them in page order (why that
 * matters: sync-events.ts). Answers are kept in order until taken, up to `buffered` of them, so the
 * network goes on while the caller writes; fetching stops at the first empty page, at the first
 * failure, or when the chain is stopped (which aborts the request under way).
 */
export interface ServedPage {
  /** Items the API put on the page: 0 ends the listing. */
  served: number;
}

export class PageChain<T extends ServedPage> {
  private readonly queue: Array<Promise<T>> = [];
  private readonly abort = new AbortController();
  private requesting = false;
  private ended = false;
  private nextPage: number;

  constructor(
    private readonly fetch: (pageNumber: number, signal: AbortSignal) => Promise<T>,
    firstPage: number,
    private readonly buffered: number,
  ) {
    this.nextPage = firstPage;
    this.pump();
  }

  /** The next page in page order (rejects if its request failed). Not to be called past an empty page or a failure. */
  take(): Promise<T> {
    const page = this.queue.shift();
    if (page === undefined) throw new Error('PageChain.take() past the end of the listing');
    this.pump();
    return page;
  }

  /** Stops fetching and aborts the request under way. */
  stop(): void {
    this.ended = true;
    this.abort.abort();
  }

  private pump(): void {
    if (this.requesting || this.ended || this.queue.length >= this.buffered) return;
    this.requesting = true;
    const answered = this.fetch(this.nextPage++, this.abort.signal).then(
      (page) => {
        this.requesting = false;
        if (page.served === 0) this.ended = true;
        this.pump();
        return page;
      },
      (error: unknown) => {
        this.requesting = false;
        this.ended = true;
        throw error;
      },
    );
    answered.catch(() => undefined); // taken in order by the caller; this only stops an early failure counting as unhandled
    this.queue.push(answered);
  }
}
