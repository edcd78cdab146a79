/**
 * The one place that talks HTTP to Flatfile: auth header, timeout per attempt, and the retry table
 * of retry-policy.ts. Answers come back as parsed JSON (`unknown`); the resource modules validate.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from '../log.js';
import { AbortedError, ApiError, NotFoundError, RateLimitedError, ResponseTooLargeError, RetriesExhaustedError, TokenRejectedError, describeError } from '../errors.js';
import type { ProxySettings } from '../proxy-settings.js';
import { regionAdvice, type ApiEndpoint } from './api-url.js';
import type { Authenticator } from './credentials.js';
import { AUTH_STATUS_RULES, STATUS_RULES, backoffMs, parseRetryAfter, rateLimitDelayMs, ruleFor, type RetryPolicy, type StatusRule } from './retry-policy.js';
import { ServerClock } from './server-clock.js';
import { exchange, type HttpAnswer } from './transport.js';
import type { AccessToken } from './types.js';

export type Query = Record<string, string | number | boolean | undefined>;

/** Counters a run reports and the worker exports as metrics. */
export interface RequestStats {
  requests: number;
  retries: number;
  rateLimited: number;
  byStatus: Record<string, number>;
}

/** Hooks for metrics; each is called once per event. */
export interface HttpObserver {
  response?(route: string, status: number | 'network' | 'too-large'): void;
  retry?(route: string): void;
  rateLimited?(route: string, waitMs: number): void;
}

export interface HttpClientOptions {
  /** Where the API is; requests go under its `requestBase` (the base plus /v1). */
  endpoint: ApiEndpoint;
  timeoutMs: number;
  /** The largest answer accepted, counted after decompression (AUDIT_MAX_RESPONSE_BYTES). */
  maxResponseBytes: number;
  /** HTTPS_PROXY / HTTP_PROXY / NO_PROXY; straight connections when absent. */
  proxy?: ProxySettings | undefined;
  policy: RetryPolicy;
  log: Logger;
  /**
   * What a 429 does: 'wait' sleeps as Retry-After says and tries again (the CLI); 'throw' raises
   * RateLimitedError at once so the caller can hand the wait to a queue (the worker).
   */
  onRateLimit?: 'wait' | 'throw';
  observer?: HttpObserver;
  random?: () => number;
}

type Attempt =
  | { kind: 'ok'; body: unknown }
  | { kind: 'transient'; reason: string; retryAfterMs?: number | undefined }
  | { kind: 'rate-limited'; retryAfterMs: number | undefined }
  | { kind: 'rejected'; status: number; detail: string }
  | { kind: 'fatal'; error: Error };

export class FlatfileHttp {
  readonly stats: RequestStats = { requests: 0, retries: 0, rateLimited: 0, byStatus: {} };
  /** The server's time, from its answers' Date headers: what a plausible event date is measured against. */
  readonly serverClock = new ServerClock();
  private authenticator: Authenticator | undefined;
  /** Whether any request has been answered 2xx: a 401 before that may mean the wrong region, not a bad token. */
  private answered = false;

  constructor(private readonly options: HttpClientOptions) {}

  useAuthenticator(authenticator: Authenticator): void {
    this.authenticator = authenticator;
  }

  /** GET a path under the base URL with the auth header; retried per the policy. */
  get(path: string, query: Query, signal?: AbortSignal): Promise<unknown> {
    return this.request('GET', path, query, undefined, signal);
  }

  /**
   * POST a JSON body with the auth header. Not idempotent: a failure that leaves unknown whether the
   * server acted (no answer, a timeout, a 5xx) is not tried again, since a retry could act twice
   * (two tokens created); a 429 is, since the server refused it.
   */
  post(path: string, body: unknown, signal?: AbortSignal): Promise<unknown> {
    return this.request('POST', path, {}, body, signal, true, STATUS_RULES, false);
  }

  /** DELETE a path with the auth header; retried per the policy (deleting twice is harmless). */
  delete(path: string, signal?: AbortSignal): Promise<unknown> {
    return this.request('DELETE', path, {}, undefined, signal);
  }

  /** POST /auth: the legacy client id + secret exchange (sent without a bearer token), in the SDK's body. */
  async exchange(clientId: string, secret: string, signal?: AbortSignal): Promise<AccessToken> {
    const body = await this.request('POST', '/auth', {}, { type: 'apiCredentials', clientId, secret }, signal, false, AUTH_STATUS_RULES);
    const answer = body as Partial<AccessToken> | null;
    if (!answer || typeof answer.accessToken !== 'string' || !answer.accessToken) {
      throw new ApiError(200, 'POST /auth answered without an accessToken');
    }
    return { accessToken: answer.accessToken, expiresIn: String(answer.expiresIn ?? '86400'), expires: String(answer.expires ?? '') };
  }

  private async request(
    method: string,
    path: string,
    query: Query,
    body: unknown,
    signal?: AbortSignal,
    withAuth = true,
    rules: Readonly<Record<number, StatusRule>> = STATUS_RULES,
    retryTransient = true,
  ): Promise<unknown> {
    const { policy, log } = this.options;
    const route = `${method} ${path}`;
    let transientFailures = 0;
    let rateLimited = 0;
    let renewed = false;
    for (;;) {
      if (signal?.aborted) throw new AbortedError(signal.reason);
      const attempt = await this.attempt(method, path, query, body, signal, withAuth, rules);
      switch (attempt.kind) {
        case 'ok':
          this.answered = true;
          return attempt.body;
        case 'fatal':
          throw attempt.error;
        case 'rejected': {
          const authenticator = this.authenticator;
          if (withAuth && authenticator && !renewed && (await authenticator.renew(signal))) {
            renewed = true;
            continue;
          }
          throw new TokenRejectedError(attempt.status, attempt.detail, this.rejectionRemedy(attempt.status, authenticator?.remedy));
        }
        case 'rate-limited': {
          rateLimited += 1;
          this.stats.rateLimited += 1;
          if (rateLimited > policy.maxRateLimited) {
            throw new RetriesExhaustedError(`${route} was rate limited ${rateLimited} times in a row`, new ApiError(429, 'Too Many Requests'));
          }
          const waitMs = rateLimitDelayMs(attempt.retryAfterMs, rateLimited - 1, policy, this.options.random);
          this.options.observer?.rateLimited?.(route, waitMs);
          if (this.options.onRateLimit === 'throw') throw new RateLimitedError(waitMs);
          log.debug({ route, waitMs, retryAfterMs: attempt.retryAfterMs }, 'rate limited; waiting');
          await this.sleep(waitMs, signal);
          continue;
        }
        case 'transient': {
          transientFailures += 1;
          if (transientFailures > (retryTransient ? policy.maxRetries : 0)) {
            throw new RetriesExhaustedError(`${route} failed ${transientFailures} times: ${attempt.reason}`, new Error(attempt.reason));
          }
          this.stats.retries += 1;
          this.options.observer?.retry?.(route);
          const waitMs = attempt.retryAfterMs !== undefined
            ? rateLimitDelayMs(attempt.retryAfterMs, transientFailures - 1, policy, this.options.random)
            : backoffMs(transientFailures - 1, policy, this.options.random);
          log.warn({ route, attempt: transientFailures, waitMs, reason: attempt.reason }, 'transient API failure; retrying');
          await this.sleep(waitMs, signal);
          continue;
        }
      }
    }
  }

  private async attempt(
    method: string,
    path: string,
    query: Query,
    body: unknown,
    signal: AbortSignal | undefined,
    withAuth: boolean,
    rules: Readonly<Record<number, StatusRule>>,
  ): Promise<Attempt> {
    const headers: Record<string, string> = { accept: 'application/json', 'x-disable-hooks': 'true' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (withAuth) {
      if (!this.authenticator) throw new Error('FlatfileHttp used before an authenticator was set');
      headers.authorization = await this.authenticator.authorization(signal);
    }
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    this.stats.requests += 1;
    let answer: HttpAnswer;
    try {
      answer = await exchange({
        method,
        url: this.url(path, query),
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
        maxBodyBytes: this.options.maxResponseBytes,
        proxy: this.options.proxy,
      });
    } catch (error) {
      if (signal?.aborted) throw new AbortedError(signal.reason);
      if (error instanceof ResponseTooLargeError) {
        this.count(`${method} ${path}`, 'too-large');
        return { kind: 'fatal', error };
      }
      this.count(`${method} ${path}`, 'network');
      const reason = timeout.aborted ? `no answer within ${this.options.timeoutMs} ms` : describeError(error);
      return { kind: 'transient', reason };
    }
    const { status, text } = answer;
    this.serverClock.observe(answer.header('date'));
    this.count(`${method} ${path}`, status);
    this.options.log.debug({ route: `${method} ${path}`, query, status, bytes: text.length }, 'API answer');
    const rule = ruleFor(status, rules);
    const retryAfterMs = parseRetryAfter(answer.header('retry-after'));
    switch (rule) {
      case 'ok':
        return parseBody(answer);
      case 'rate-limited':
        return { kind: 'rate-limited', retryAfterMs };
      case 'retry':
        return { kind: 'transient', reason: `HTTP ${status}`, retryAfterMs };
      case 'token-rejected':
        return { kind: 'rejected', status, detail: errorMessage(text) };
      case 'not-found':
        return { kind: 'fatal', error: new NotFoundError(`${method} ${path} answered 404: ${errorMessage(text) || 'not found'}`) };
      case 'fail':
        return { kind: 'fatal', error: new ApiError(status, `${method} ${path} answered ${status}: ${errorMessage(text) || 'request refused'}`) };
    }
  }

  private url(path: string, query: Query): string {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
    const search = params.toString();
    return `${this.options.endpoint.requestBase}${path}${search ? `?${search}` : ''}`;
  }

  /**
   * Each Flatfile region's host knows only its own accounts, so a 401 before anything was answered
   * is as likely the wrong region as a bad token: say which region was asked.
   */
  private rejectionRemedy(status: number, remedy: string | undefined): string | undefined {
    if (status !== 401 || this.answered) return remedy;
    return `${regionAdvice(this.options.endpoint)}; otherwise ${remedy ?? 'create a new Personal Access Token and set FLATFILE_TOKEN'}`;
  }

  private count(route: string, status: number | 'network' | 'too-large'): void {
    this.stats.byStatus[status] = (this.stats.byStatus[status] ?? 0) + 1;
    this.options.observer?.response?.(route, status);
  }

  private async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    try {
      await delay(ms, undefined, { signal });
    } catch (error) {
      throw new AbortedError(signal?.reason ?? error);
    }
  }
}

/** A 2xx answer must be JSON; anything else (an HTML error page, a cut-off body) is treated as transient. */
function parseBody({ header, text }: HttpAnswer): Attempt {
  const type = header('content-type') ?? '';
  if (type && !type.includes('json')) return { kind: 'transient', reason: `answer was ${type.split(';')[0]}, not JSON` };
  try {
    return { kind: 'ok', body: JSON.parse(text) };
  } catch {
    return { kind: 'transient', reason: `answer was not valid JSON (${text.length} bytes)` };
  }
}

/** The API's `{errors:[{message}]}` text, short and single-line, for error messages. */
function errorMessage(text: string): string {
  try {
    const parsed = JSON.parse(text) as { errors?: Array<{ message?: unknown }> };
    const message = parsed.errors?.[0]?.message;
    if (typeof message === 'string') return message.replace(/\s+/g, ' ').slice(0, 200);
  } catch {
    // not JSON: fall through to no detail
  }
  return '';
}
