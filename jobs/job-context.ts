import type { Queue } from 'bullmq';
import type { Config } from '../src/config.js';
import type { Logger } from '../src/log.js';
import type { AuditMetrics } from '../src/ops/metrics.js';
import type { AuditStore } from '../src/store/audit-store.js';
import type { CheckpointWriter } from '../src/checkpoint/checkpoint-writer.js';
import type { Forwarding } from './forwarding.js';
import type { SyncJobData } from './queue.js';

/** What every job processor is given by the worker process: settings parsed once, and shared resources. */
export interface JobContext {
  config: Config;
  store: AuditStore;
  log: Logger;
  metrics: AuditMetrics;
  queue: Queue<SyncJobData>;
  clock: () => Date;
  /** Set when AUDIT_CHECKPOINT_FILE is. */
  checkpoints?: CheckpointWriter | undefined;
  /** Set when AUDIT_FORWARD_URL is: asked to run after each environment sync that stored events. */
  forward?: Forwarding | undefined;
}
