/**
 * The checkpoint file: NDJSON, one checkpoint a line, only ever appended to (mode 0600, each line
 * flushed to disk before the write lock it was written under is let go). It must live where
 * whoever can rewrite the database cannot: its path is refused inside the database's directory,
 * comparing real paths so that neither a symlink nor `..` can bring it back in.
 */
import { closeSync, fstatSync, lstatSync, fsyncSync, mkdirSync, openSync, readFileSync, readSync, realpathSync, writeSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { CheckpointError, ConfigError } from '../errors.js';
import { parseCheckpoint, type Checkpoint } from './checkpoint.js';

/** Checks AUDIT_CHECKPOINT_FILE against the database path, creates its directory (0700), and returns its absolute path. */
export function resolveCheckpointFile(file: string, dbPath: string): string {
  const target = realPathOf(file);
  if (dbPath !== ':memory:') {
    const dbDir = realPathOf(dirname(dbPath));
    const rel = relative(dbDir, target);
    if (rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel))) {
      throw new ConfigError(`AUDIT_CHECKPOINT_FILE ${file} is inside the database's directory ${dbDir}; put it where whoever can rewrite the database cannot (another volume or machine)`);
    }
  }
  try {
    mkdirSync(dirname(target), { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new ConfigError(`AUDIT_CHECKPOINT_FILE ${file}: cannot create its directory (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  return target;
}

/**
 * The real path of `path`, which need not exist yet: the longest existing prefix is resolved by the
 * file system (symlinks, and `..` after them, as the kernel would follow them), the rest appended.
 */
export function realPathOf(path: string): string {
  const absolute = isAbsolute(path) ? path : join(process.cwd(), path);
  const missing: string[] = [];
  let existing = absolute;
  while (!linkOrFileExists(existing)) {
    const parent = dirname(existing);
    if (parent === existing) break;
    missing.unshift(basename(existing));
    existing = parent;
  }
  let real: string;
  try {
    real = realpathSync(existing);
  } catch (error) {
    // A symbolic link to nowhere: where a file would be created through it is not known.
    throw new ConfigError(`${existing} cannot be resolved (${(error as NodeJS.ErrnoException).code ?? 'error'}): a symbolic link to a missing file?`);
  }
  return resolve(real, ...missing);
}

function linkOrFileExists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Runs `use` on the open file: what the last checkpoint in it is, and a way to append one line. */
export function withCheckpointFile<T>(path: string, use: (file: { last: Checkpoint | null; append(line: string): void }) => T): T {
  let fd: number;
  try {
    fd = openSync(path, 'a+', 0o600);
  } catch (error) {
    throw fileError(path, error);
  }
  try {
    const size = fstatSync(fd).size;
    return use({
      last: size === 0 ? null : lastCheckpoint(fd, size),
      append(line) {
        // After a crash mid-line the file does not end with a newline: start a fresh line, and the
        // cut-short one is left behind (verify notes it, and the chain skips it).
        const prefix = size > 0 && !endsWithNewline(fd, size) ? '\n' : '';
        try {
          writeSync(fd, `${prefix}${line}\n`);
          fsyncSync(fd);
          if (size === 0) syncDirectory(dirname(path));
        } catch (error) {
          throw fileError(path, error);
        }
      },
    });
  } finally {
    closeSync(fd);
  }
}

/** Every line of the file, numbered from 1, blank lines left out. */
export function readCheckpointLines(path: string): Array<{ line: number; text: string }> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`--checkpoints ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`);
  }
  return text.split('\n').flatMap((line, i) => (line.trim() ? [{ line: i + 1, text: line }] : []));
}

/** The last line that parses as a checkpoint, reading back from the end a growing chunk at a time. */
function lastCheckpoint(fd: number, size: number): Checkpoint | null {
  for (let chunk = 64 * 1024; ; chunk *= 4) {
    const start = Math.max(0, size - chunk);
    const buffer = Buffer.alloc(size - start);
    readSync(fd, buffer, 0, buffer.length, start);
    const lines = buffer.toString('utf8').split('\n');
    if (start > 0) lines.shift(); // may begin mid-line
    for (let i = lines.length - 1; i >= 0; i -= 1) {
      if (!lines[i]!.trim()) continue;
      try {
        return parseCheckpoint(lines[i]!);
      } catch {
        // a line cut short by a crash, or not a checkpoint: the chain goes on from the one before
      }
    }
    if (start === 0) return null;
  }
}

function endsWithNewline(fd: number, size: number): boolean {
  const last = Buffer.alloc(1);
  readSync(fd, last, 0, 1, size - 1);
  return last[0] === 0x0a;
}

/** A new file's directory entry reaches the disk too. */
function syncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function fileError(path: string, error: unknown): CheckpointError {
  const code = (error as NodeJS.ErrnoException).code;
  return new CheckpointError(`cannot write the checkpoint file ${path}${code ? ` (${code})` : ''}`, error);
}
