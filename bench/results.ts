/**
 * The JSON every bench run writes. The issue fixes the names of the first-level fields and of the
 * figures inside them; everything else is extra. Where a name says 200k or 1m it means the main and
 * the large account of the run (`sizes` says how big they really were, e.g. in --quick).
 */
import type { Machine } from './machine.js';
import type { PostgresBenchResult } from './run-postgres-bench.js';
import type { QueryTiming } from './queries.js';
import type { StorageFigures } from './storage.js';
import type { Sample } from './timeline.js';

export interface BenchResult {
  machine: Machine;
  /** The PostgreSQL figures of the same run, when it measured PostgreSQL too (--stores). */
  postgres?: PostgresBenchResult;
  settings: {
    quick: boolean;
    environments: number;
    latencyMs: number;
    pageSizeCap: number;
    pageSize: number;
    environmentsAtOnce: number;
    requestsPerListing: number;
    writeBatchRows: number;
    startedAt: string;
  };
  sizes: { small: number; big: number };
  backfill: {
    events: number;
    environments: number;
    pages: number;
    /** Requests in flight at once (environments at once × pages requested ahead): what the network bound divides by. */
    concurrency: number;
    latencyMs: number;
    wallS: number;
    networkBoundS: number;
    rawWriteS: number;
    ratioToBound: number;
    /** Fastest fetch-only run over the same pages and concurrency, in the same rounds (optional: older results lack it). */
    measuredNetworkS?: number;
    fetchOnlySamplesS?: number[];
    ratioToMeasuredBound?: number;
    eventsPerS: number;
    exact: boolean;
    requests: number;
    boundBy: 'network' | 'disk';
    /** CPU seconds of the fastest backfill's process, all its threads (on two cores its wall time cannot be under half their sum). */
    cpuS: { user: number; system: number } | null;
    /** Every round's wall time; wallS is the fastest. */
    wallSamplesS: number[];
    /** Every raw-loop run of the run (backfill rounds and write-path rounds); rawWriteS is the fastest. */
    rawWriteSamplesS: number[];
  };
  naive: { events: number; wallS: number; eventsPerS: number; exact: boolean; wallSamplesS: number[]; pages: number; requests: number };
  speedupVsNaive: number;
  writePath: {
    storeEventsPerS: number;
    rawEventsPerS: number;
    ratio: number;
    /** Store runs and the raw runs alternating with them; the ratio compares the fastest of each. */
    storeS: number[];
    rawS: number[];
    storage: StorageFigures;
  };
  memory: {
    peakRssMb200k: number;
    peakRssMb1m: number;
    /** peakRssMb1m / peakRssMb200k: 1.2 at most if memory does not grow with the history. */
    growth: number;
    startRssMb: number;
  };
  incremental: {
    newEvents: number;
    requests200k: number;
    requests1m: number;
    wallS200k: number;
    wallS1m: number;
    eventsRequests200k: number;
    eventsRequests1m: number;
    stored200k: number;
    stored1m: number;
    exact: boolean;
  };
  backfill1m: { events: number; pages: number; wallS: number; eventsPerS: number; networkBoundS: number; exact: boolean; storage: { fileBytes: number; bytesPerEvent: number } };
  queries: QueryTiming[];
  otherQueries: QueryTiming[];
  queryParameters: Record<string, string>;
  faults: {
    wallS: number;
    cleanWallS: number;
    exact: boolean;
    slowdown: number;
    rate429: number;
    retryAfterS: number;
    rate5xx: number;
    requests: number;
    retries: number;
    rateLimited: number;
  };
  timelines: { backfill: Sample[]; naive: Sample[]; faults: Sample[]; backfill1m: Sample[] };
  totalS: number;
}
