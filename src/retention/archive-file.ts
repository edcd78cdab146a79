/**
 * A prune archive: gzip-compressed NDJSON, written where nobody else can read it (0600) under a
 * temporary name, flushed to disk (fsync of the file, then of its directory) and only then given
 * its name, by a hard link that fails if the name is taken, so an archive is never overwritten and
 * never seen half-written under its name. Its SHA-256 is taken from the bytes read back from disk:
 * what the cut records is what is there.
 *
 * Lines: first a header ({"format": "flatfile-audit-archive", ...}: see PruneArchiveHeader), then one
 * object per pruned event (ArchivedEventLine).
 */
import { createHash } from 'node:crypto';
import { createReadStream, closeSync, fsyncSync, linkSync, lstatSync, mkdirSync, openSync, rmSync, createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { basename, dirname } from 'node:path';
import { createGzip, type Gzip } from 'node:zlib';
import { AuditError, ConfigError } from '../errors.js';

export const ARCHIVE_FORMAT = 'flatfile-audit-archive';

/** What the archive covers: per environment the pruned sequence numbers and the hash the first of them links to. */
export interface PruneArchiveHeader {
  format: typeof ARCHIVE_FORMAT;
  version: 1;
  pruneId: string;
  /** Events created before this were pruned. */
  before: string;
  createdAt: string;
  command: string;
  environments: Array<{ environmentId: string; fromSeq: number; throughSeq: number; previousHash: string | null }>;
}

/** One pruned event: the row as stored and hashed (`event`), its place in the chain, and its audit_trail row. */
export interface ArchivedEventLine {
  environment_id: string;
  chain_seq: number;
  /** Hex. */
  chain_hash: string;
  event: Record<string, unknown>;
  audit_trail: Record<string, unknown>;
}

export interface WrittenArchive {
  path: string;
  sha256: string;
  bytes: number;
  events: number;
}

export class ArchiveFile {
  private readonly fd: number;
  private readonly out: WriteStream;
  private readonly gzip: Gzip;
  private events = 0;

  /** Refuses a path that exists; creates its directory (0700) when missing. */
  static create(path: string): ArchiveFile {
    const dir = dirname(path);
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
    } catch (error) {
      throw new AuditError('STORE_FAILED', `cannot create the archive directory ${dir}: ${(error as Error).message}`, { cause: error });
    }
    if (exists(path)) throw new ConfigError(`refusing to overwrite ${path}: it exists; give the archive a new name`);
    const temp = `${dir}/.${basename(path)}.partial-${process.pid}`;
    let fd: number;
    try {
      fd = openSync(temp, 'wx', 0o600);
    } catch (error) {
      throw new AuditError('STORE_FAILED', `cannot create the archive ${temp}: ${(error as Error).message}`, { cause: error });
    }
    return new ArchiveFile(path, temp, fd);
  }

  private constructor(
    readonly path: string,
    private readonly temp: string,
    fd: number,
  ) {
    this.fd = fd;
    this.out = createWriteStream('', { fd, autoClose: false });
    this.gzip = createGzip();
    this.gzip.pipe(this.out);
  }

  async header(header: PruneArchiveHeader): Promise<void> {
    await this.line(header);
  }

  async event(line: ArchivedEventLine): Promise<void> {
    this.events += 1;
    await this.line(line);
  }

  /** Flushes everything to disk and gives the file its name; returns its checksum. */
  async finish(): Promise<WrittenArchive> {
    this.gzip.end();
    await once(this.out, 'finish');
    fsyncSync(this.fd);
    closeSync(this.fd);
    try {
      linkSync(this.temp, this.path);
    } catch (error) {
      this.discard();
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new ConfigError(`refusing to overwrite ${this.path}: it appeared while the archive was written`);
      throw new AuditError('STORE_FAILED', `cannot name the archive ${this.path}: ${(error as Error).message}`, { cause: error });
    }
    rmSync(this.temp, { force: true });
    syncDirectory(dirname(this.path));
    const { sha256, bytes } = await fileSha256(this.path);
    return { path: this.path, sha256, bytes, events: this.events };
  }

  /** Removes the unfinished file (after a failure before finish). */
  discard(): void {
    this.gzip.destroy();
    this.out.destroy();
    try {
      closeSync(this.fd);
    } catch {
      // already closed
    }
    rmSync(this.temp, { force: true });
  }

  private async line(value: unknown): Promise<void> {
    if (!this.gzip.write(`${JSON.stringify(value)}\n`)) await once(this.gzip, 'drain');
  }
}

/** SHA-256 (hex) and size of a file, streamed. */
export async function fileSha256(path: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), bytes };
}

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** The new name is durable only once the directory entry is. */
function syncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
