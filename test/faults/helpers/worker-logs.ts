/** Reading a worker process's JSON log lines (LOG_LEVEL=debug) to see which jobs it holds. */

export interface LogLine {
  msg?: string;
  jobId?: string;
  envId?: string;
  route?: string;
  level?: string;
  [key: string]: unknown;
}

export function parseLogs(text: string): LogLine[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as LogLine];
      } catch {
        return []; // a line cut by a kill
      }
    });
}

/** Environment jobs this worker has fetched events for but not finished: what a kill now interrupts. */
export function environmentJobsInFlight(text: string): Array<{ jobId: string; envId: string }> {
  const lines = parseLogs(text);
  const finished = new Set(lines.filter((l) => l.msg === 'environment synced' || l.msg === 'job failed').map((l) => l.jobId));
  const started = new Map<string, string>();
  for (const l of lines) if (l.route === 'GET /events' && l.jobId && l.envId && !finished.has(l.jobId)) started.set(l.jobId, l.envId);
  return [...started].map(([jobId, envId]) => ({ jobId, envId }));
}

/** Environments this worker logged as synced. */
export function environmentsSynced(text: string): string[] {
  return parseLogs(text).filter((l) => l.msg === 'environment synced' && l.envId).map((l) => l.envId as string);
}
