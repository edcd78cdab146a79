/** Runs a Job in a child process and returns its result; BENCH_CPU_PROF=<dir> profiles the child. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Job, ResultOf } from './jobs.js';

const ENTRY = fileURLToPath(new URL('./job-process.js', import.meta.url));

export async function runJob<J extends Job>(job: J): Promise<ResultOf<J>> {
  const profile = process.env.BENCH_CPU_PROF;
  const execArgs = profile ? ['--cpu-prof', '--cpu-prof-dir', profile] : [];
  const child = spawn(process.execPath, [...execArgs, ENTRY, JSON.stringify(job)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr = (stderr + chunk).slice(-4000)));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const last = stdout.trim().split('\n').at(-1) ?? '';
  if (code !== 0 || !last.startsWith('{')) throw new Error(`the ${job.kind} process exited with code ${code}: ${stderr.trim() || stdout.slice(-500)}`);
  const result = JSON.parse(last) as ResultOf<J> & { status?: string; error?: string | null };
  if (result.status !== undefined && result.status !== 'ok') throw new Error(`the ${job.kind} sync ended ${result.status}: ${result.error ?? 'no error given'}`);
  return result;
}
