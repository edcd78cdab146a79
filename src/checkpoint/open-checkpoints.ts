/** From the settings to a checkpoint writer: checked at start (one line, exit 2 on a bad value), opened on the store. */
import type { Config } from '../config.js';
import { ConfigError } from '../errors.js';
import type { Logger } from '../log.js';
import type { AuditStore } from '../store/audit-store.js';
import { resolveCheckpointFile } from './checkpoint-file.js';
import { createCheckpointPoster } from './checkpoint-poster.js';
import { createCheckpointWriter, type CheckpointWriter } from './checkpoint-writer.js';
import { loadSigningKey, type SigningKey } from './signing-key.js';

export interface CheckpointSettings {
  file: string;
  key: SigningKey | undefined;
  url: string | undefined;
}

/** Checks the checkpoint settings before anything is opened; undefined when checkpoints are off. */
export function prepareCheckpoints(config: Pick<Config, 'dbPath' | 'checkpoints'>): CheckpointSettings | undefined {
  const { file, signingKeyFile, url } = config.checkpoints;
  if (!file) return undefined;
  return { file: resolveCheckpointFile(file, config.dbPath), key: signingKeyFile ? loadSigningKey(signingKeyFile) : undefined, url };
}

export function openCheckpointWriter(settings: CheckpointSettings, store: AuditStore, log: Logger, clock: () => Date = () => new Date()): CheckpointWriter {
  if (!store.checkpoint) throw new ConfigError('AUDIT_CHECKPOINT_FILE is set, but this store cannot write checkpoints');
  return createCheckpointWriter({
    file: settings.file,
    withState: (record) => store.checkpoint!(record),
    clock,
    log,
    key: settings.key,
    poster: settings.url ? createCheckpointPoster({ url: settings.url, log }) : undefined,
  });
}
