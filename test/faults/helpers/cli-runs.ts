/** Running the real CLI for fault cases: its environment, a file-size-limited variant, exit checks, a seeded PRNG. */
import { spawn } from 'node:child_process';
import { BIN, type CliResult } from '../../helpers/cli.js';
import { TEST_PAT } from '../../helpers/simulator.js';

/** The environment of `sync --once` against a simulator; logs off unless a case asks for them. */
export function cliEnv(url: string, dbPath: string, extra: Record<string, string> = {}): Record<string, string> {
  return { FLATFILE_API_URL: url, FLATFILE_TOKEN: TEST_PAT, AUDIT_DB: dbPath, AUDIT_REQUEST_TIMEOUT: '5s', LOG_LEVEL: 'silent', ...extra };
}

/**
 * The CLI with its file-size limit (RLIMIT_FSIZE) at `kib` KiB: a write past it fails with EFBIG,
 * which SQLite reports as a full disk. SIGXFSZ is ignored (node ignores it too), so the write fails
 * instead of killing the process. Needs no root and no mount.
 */
export function runCliWithFileLimit(args: string[], env: Record<string, string>, kib: number): Promise<CliResult> {
  const script = `trap "" XFSZ; ulimit -f ${kib}; exec "$0" "$@"`;
  const child = spawn('bash', ['-c', script, process.execPath, BIN, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
}

/** stderr without JSON log lines: what a person reading the terminal is told. */
export function plainLines(stderr: string): string[] {
  return stderr.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('{'));
}

export { seeded } from '../../helpers/seeded.js';

export const FAULT_SEED = Number(process.env.FAULT_SEED ?? 20261127);
