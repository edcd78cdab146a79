/** What a command needs from its surroundings, passed in so tests can run commands in-process. */
export interface CliContext {
  env: Record<string, string | undefined>;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  /** Cancelled on SIGINT/SIGTERM. */
  signal: AbortSignal;
}

/** Exit codes, documented in the README. */
export const EXIT = { ok: 0, failed: 1, usage: 2, tokenRejected: 3 } as const;
