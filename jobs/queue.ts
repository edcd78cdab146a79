/**
 * The sync queue: its name, its three job kinds with their payloads, and the options every job
 * gets. Payloads hold ids and options only; the token is read by the worker for each job.
 */
import { Queue, type ConnectionOptions, type JobsOptions } from 'bullmq';
import type { WorkerConfig } from '../src/config.js';

export const QUEUE_NAME = 'audit-sync';

export const JOB = {
  /** Lists the environments and fans out one environment job each, plus the directory job. */
  account: 'account-sync',
  /** One environment: events, spaces, guests, agents. */
  environment: 'environment-sync',
  /** Account-level inventories: users. */
  directory: 'directory-sync',
} as const;

export type JobName = (typeof JOB)[keyof typeof JOB];

export type Trigger = 'schedule' | 'manual';

export interface AccountSyncData {
  trigger: Trigger;
}

export interface EnvironmentSyncData {
  trigger: Trigger;
  environmentId: string;
  environmentName: string;
}

export interface DirectorySyncData {
  trigger: Trigger;
}

export interface RetentionData {
  trigger: Trigger;
}

export interface ReconcileData {
  trigger: Trigger;
}

export interface TokenRotationData {
  trigger: Trigger;
}

export type SyncJobData = AccountSyncData | EnvironmentSyncData | DirectorySyncData | RetentionData | ReconcileData | TokenRotationData;

/** The id of the one schedule; stable, so redeploys and extra workers replace it instead of adding one. */
export const SCHEDULER_ID = 'account-sync-schedule';

/** Deduplication ids: while one job of an id is waiting or running, adding another is a no-op. */
export const dedupId = {
  environment: (environmentId: string) => `environment:${environmentId}`,
  directory: () => 'directory',
};

/** What every job gets: bounded retries with jittered backoff, and bounded history in Redis. */
export function defaultJobOptions(config: Pick<WorkerConfig, 'jobAttempts'>): JobsOptions {
  return {
    attempts: config.jobAttempts,
    backoff: { type: 'exponential', delay: 10_000, jitter: 0.5 },
    removeOnComplete: { count: 1000, age: 7 * 24 * 3600 },
    removeOnFail: { count: 5000, age: 30 * 24 * 3600 },
  };
}

export function createQueue(connection: ConnectionOptions, config: Pick<WorkerConfig, 'queuePrefix' | 'jobAttempts'>): Queue<SyncJobData> {
  return new Queue<SyncJobData>(QUEUE_NAME, { connection, prefix: config.queuePrefix, defaultJobOptions: defaultJobOptions(config) });
}

/** The daily prune (AUDIT_RETENTION), a job of its own: scheduled apart from the syncs, never deduplicated with them. */
export const RETENTION_JOB = 'retention';
export const RETENTION_SCHEDULER_ID = 'retention-schedule';

/** The daily reconcile (AUDIT_RECONCILE_CRON), a job of its own like the prune: it moves no cursor, so it need not wait for the syncs. */
export const RECONCILE_JOB = 'reconcile';
export const RECONCILE_SCHEDULER_ID = 'reconcile-schedule';
/**
 * The daily token rotation check (AUDIT_PAT_ROTATE_EVERY, src/tokens/rotation-check.ts): one
 * scheduler under a fixed id, so however many workers register it, one check runs per day.
 */
export const TOKEN_ROTATION_JOB = 'token-rotation';
export const TOKEN_ROTATION_SCHEDULER_ID = 'token-rotation-schedule';
/** When it runs: daily, at an hour apart from the retention prune, in AUDIT_SYNC_TZ. */
export const TOKEN_ROTATION_CRON = '41 4 * * *';
