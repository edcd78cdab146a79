import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import { createAuthenticator } from './credentials.js';
import { FlatfileHttp, type HttpClientOptions } from './http-client.js';
import { DEFAULT_RETRY_POLICY } from './retry-policy.js';

/** The API client for one run: settings from config, credential read now (token file included). */
export async function connectFlatfile(config: Config, log: Logger, extra: Pick<HttpClientOptions, 'onRateLimit' | 'observer'> = {}): Promise<FlatfileHttp> {
  const http = new FlatfileHttp({
    baseUrl: config.apiUrl,
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
