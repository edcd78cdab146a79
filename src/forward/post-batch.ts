/**
 * One POST of a batch, bounded by AUDIT_FORWARD_TIMEOUT, its outcome classified (delivery-rules.ts).
 * What it reports names the failure (a status, a timeout, a connection error code), never the URL:
 * a URL's credentials never reach a message.
 */
import type { ForwardTarget } from './forward-target.js';
import { classifyAnswer, type Delivery } from './delivery-rules.js';

export interface PostOptions {
  target: ForwardTarget;
  body: string;
  contentType: string;
  /** `Splunk <token>` for HEC. */
  authorization: string | undefined;
  timeoutMs: number;
  maxWaitMs: number;
  /** The job's: shutdown stops a POST under way. */
  signal: AbortSignal;
  now: () => number;
}

export async function postBatch(o: PostOptions): Promise<Delivery> {
  const timeout = AbortSignal.timeout(o.timeoutMs);
  const headers: Record<string, string> = { 'content-type': o.contentType, 'user-agent': 'flatfile-audit' };
  const authorization = o.authorization ?? o.target.basicAuth;
  if (authorization !== undefined) headers.authorization = authorization;
  try {
    const response = await fetch(o.target.url, { method: 'POST', headers, body: o.body, signal: AbortSignal.any([timeout, o.signal]), redirect: 'error' });
    // Read to the end (bounded by the same timeout): the connection goes back to the pool, and an answer cut off is no acknowledgement.
    await response.arrayBuffer();
    return classifyAnswer(response.status, response.headers.get('retry-after'), o.now(), o.maxWaitMs);
  } catch (error) {
    if (o.signal.aborted) throw error;
    if (timeout.aborted) return { kind: 'retry', reason: `no answer within ${Math.round(o.timeoutMs / 100) / 10} s` };
    return { kind: 'retry', reason: `connection failed (${connectionCode(error)})` };
  }
}

/** ECONNREFUSED, ECONNRESET, UND_ERR_SOCKET…: fetch puts the system's code on the cause. */
function connectionCode(error: unknown): string {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return 'network error';
}
