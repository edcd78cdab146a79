/**
 * Replacing the token in FLATFILE_TOKEN_FILE so that a crash at any moment leaves either the old
 * file or the new one, whole: the new token goes to a temporary file beside it (same directory,
 * so the rename is atomic), mode 0600 and the old file's owner, is written and fsynced, renamed
 * over the old name, and the directory fsynced so the rename itself survives a power cut.
 */
import { chown, open, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { AuditError } from '../errors.js';

/** The temporary file a replacement is written to first; a leftover one (a crash mid-write) is simply overwritten. */
export function temporaryPath(path: string): string {
  return join(dirname(path), `.${basename(path)}.rotating`);
}

/** Atomically replaces the content of `path` with `text` (plus a newline), keeping mode 0600 and the owner. */
export async function replaceTokenFile(path: string, text: string): Promise<void> {
  const temp = temporaryPath(path);
  const before = await stat(path);
  await unlink(temp).catch(() => undefined);
  try {
    const file = await open(temp, 'wx', 0o600);
    try {
      // The owner is ours already (the token file must be: credentials.ts), unless root runs this for another user.
      if (before.uid !== process.getuid?.()) await chown(temp, before.uid, before.gid);
      await file.writeFile(`${text}\n`, 'utf8');
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temp, path);
    await syncDirectory(dirname(path));
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw new AuditError('CONFIG_INVALID', `cannot replace FLATFILE_TOKEN_FILE ${path}: ${(error as Error).message}`, { cause: error });
  }
}

/** fsync of a directory: makes a rename in it durable. */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
