import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import { describeEndpoint } from './api-url.js';
import { createAuthenticator, describeCredential } from './credentials.js';
import { FlatfileHttp, type HttpClientOptions } from './http-client.js';
import { DEFAULT_RETRY_POLICY } from './retry-policy.js';

/** The API client for one run: settings from config, credential read now (token file included). */
export async function connectFlatfile(config: Config, log: Logger, extra: Pick<HttpClientOptions, 'onRateLimit' | 'observer'> = {}): Promise<FlatfileHttp> {
  const http = new FlatfileHttp({
    endpoint: config.api,
    timeoutMs: config.requestTimeoutMs,
    maxResponseBytes: config.maxResponseBytes,
    proxy: config.proxy,
    policy: { ...DEFAULT_RETRY_POLICY, maxRetries: config.maxRetries },
    log,
    ...extra,
  });
  http.useAuthenticator(await createAuthenticator(config.credentials, (clientId, secret, signal) => http.exchange(clientId, secret, signal)));
  return http;
}

/** What a run talks to and with which credential (never its value): shown by `status` and logged as a run starts. */
export interface ConnectionSummary {
  /** The URL requests go under (the base plus /v1). */
  apiUrl: string;
  region: string | null;
  apiUrlFrom: 'FLATFILE_API_URL' | 'FLATFILE_REGION' | 'default';
  credential: string;
}

export function connectionSummary(config: Config): ConnectionSummary {
  return { apiUrl: config.api.requestBase, region: config.api.region ?? null, apiUrlFrom: config.api.from, credential: describeCredential(config.credentials) };
}

/** The summary as one line: `Flatfile API https://…/api/v1 (region eu, from FLATFILE_REGION); credential: FLATFILE_API_KEY`. */
export function formatConnection(config: Config): string {
  return `Flatfile API ${describeEndpoint(config.api)}; credential: ${describeCredential(config.credentials)}`;
}
