/** FLATFILE_API_URL and FLATFILE_REGION in every form Flatfile users have them, and the bad ones. */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { REGIONS, describeEndpoint, regionAdvice, resolveApiEndpoint } from '../../src/flatfile/api-url.js';
import { isLoopbackHost } from '../../src/host-name.js';

describe('resolveApiEndpoint', () => {
  it.each([
    // [FLATFILE_API_URL, FLATFILE_REGION, requests go under, region, chosen by]
    [undefined, undefined, 'https://platform.flatfile.com/api/v1', 'us', 'default'],
    [undefined, 'us', 'https://platform.flatfile.com/api/v1', 'us', 'FLATFILE_REGION'],
    [undefined, 'uk', 'https://platform.uk.flatfile.com/api/v1', 'uk', 'FLATFILE_REGION'],
    [undefined, 'eu', 'https://platform.eu.flatfile.com/api/v1', 'eu', 'FLATFILE_REGION'],
    [undefined, 'au', 'https://platform.au.flatfile.com/api/v1', 'au', 'FLATFILE_REGION'],
    [undefined, 'ca', 'https://platform.ca.flatfile.com/api/v1', 'ca', 'FLATFILE_REGION'],
    [undefined, ' EU ', 'https://platform.eu.flatfile.com/api/v1', 'eu', 'FLATFILE_REGION'],
    // Flatfile's form, as its SDK and CLI take it
    ['https://platform.flatfile.com/api', undefined, 'https://platform.flatfile.com/api/v1', 'us', 'FLATFILE_API_URL'],
    ['https://platform.flatfile.com/api/', undefined, 'https://platform.flatfile.com/api/v1', 'us', 'FLATFILE_API_URL'],
    // with the version, as flatfile-audit and Flatfile's MCP server documented it
    ['https://platform.flatfile.com/api/v1', undefined, 'https://platform.flatfile.com/api/v1', 'us', 'FLATFILE_API_URL'],
    ['https://platform.flatfile.com/api/v1/', undefined, 'https://platform.flatfile.com/api/v1', 'us', 'FLATFILE_API_URL'],
    // without a scheme, as Flatfile's CLI documentation writes regional hosts
    ['platform.eu.flatfile.com/api', undefined, 'https://platform.eu.flatfile.com/api/v1', 'eu', 'FLATFILE_API_URL'],
    ['platform.eu.flatfile.com/api/v1/', undefined, 'https://platform.eu.flatfile.com/api/v1', 'eu', 'FLATFILE_API_URL'],
    ['//platform.ca.flatfile.com/api', undefined, 'https://platform.ca.flatfile.com/api/v1', 'ca', 'FLATFILE_API_URL'],
    ['HTTPS://Platform.UK.Flatfile.com/api', undefined, 'https://platform.uk.flatfile.com/api/v1', 'uk', 'FLATFILE_API_URL'],
    ['https://platform.au.flatfile.com:443/api', undefined, 'https://platform.au.flatfile.com/api/v1', 'au', 'FLATFILE_API_URL'],
    // loopback: the simulator, a local proxy; without a scheme it means http
    ['http://127.0.0.1:8787/api', undefined, 'http://127.0.0.1:8787/api/v1', undefined, 'FLATFILE_API_URL'],
    ['http://127.0.0.1:8787/api/v1', undefined, 'http://127.0.0.1:8787/api/v1', undefined, 'FLATFILE_API_URL'],
    ['127.0.0.1:8787/api', undefined, 'http://127.0.0.1:8787/api/v1', undefined, 'FLATFILE_API_URL'],
    ['localhost:8787/api/v1/', undefined, 'http://localhost:8787/api/v1', undefined, 'FLATFILE_API_URL'],
    ['[::1]:8787/api', undefined, 'http://[::1]:8787/api/v1', undefined, 'FLATFILE_API_URL'],
    ['https://localhost:8443/api', undefined, 'https://localhost:8443/api/v1', undefined, 'FLATFILE_API_URL'],
    // any other host: a proxy in front of Flatfile, or the SDK's own default
    ['https://proxy.example.com/flatfile', undefined, 'https://proxy.example.com/flatfile/v1', undefined, 'FLATFILE_API_URL'],
    ['proxy.example.com', undefined, 'https://proxy.example.com/v1', undefined, 'FLATFILE_API_URL'],
    ['https://api.x.flatfile.com/v1', undefined, 'https://api.x.flatfile.com/v1', undefined, 'FLATFILE_API_URL'],
    // both set and agreeing
    ['https://platform.eu.flatfile.com/api', 'eu', 'https://platform.eu.flatfile.com/api/v1', 'eu', 'FLATFILE_API_URL'],
    ['platform.flatfile.com/api/v1', 'US', 'https://platform.flatfile.com/api/v1', 'us', 'FLATFILE_API_URL'],
  ])('FLATFILE_API_URL=%s FLATFILE_REGION=%s → %s', (url, region, requestBase, expectedRegion, from) => {
    const endpoint = resolveApiEndpoint(url, region);
    expect(endpoint.requestBase).toBe(requestBase);
    expect(endpoint.base).toBe(requestBase.slice(0, -'/v1'.length));
    expect(endpoint.url.href.replace(/\/$/, '')).toBe(endpoint.base);
    expect(endpoint.region).toBe(expectedRegion);
    expect(endpoint.from).toBe(from);
  });

  it.each([
    ['https://platform.flatfile.com', undefined, 'FLATFILE_API_URL https://platform.flatfile.com/ is not where Flatfile serves the API; use https://platform.flatfile.com/api'],
    ['platform.eu.flatfile.com/v1', undefined, 'FLATFILE_API_URL https://platform.eu.flatfile.com/ is not where Flatfile serves the API; use https://platform.eu.flatfile.com/api'],
    ['https://platform.uk.flatfile.com/api/v2', undefined, 'FLATFILE_API_URL https://platform.uk.flatfile.com/api/v2 is not where Flatfile serves the API; use https://platform.uk.flatfile.com/api'],
    ['ftp://platform.flatfile.com/api', undefined, 'FLATFILE_API_URL must be an http(s) URL like https://platform.eu.flatfile.com/api, got "ftp://platform.flatfile.com/api"'],
    ['http:/platform.flatfile.com/api', undefined, 'FLATFILE_API_URL must be a URL like https://platform.eu.flatfile.com/api, got "http:/platform.flatfile.com/api"'],
    ['https://', undefined, 'FLATFILE_API_URL must be a URL like https://platform.eu.flatfile.com/api, got "https://"'],
    ['https://proxy.example.com/api?region=eu', undefined, 'FLATFILE_API_URL must be a base URL without ?query or #fragment, got "https://proxy.example.com/api?region=eu"'],
    ['https://ann:hunter2@proxy.example.com/api', undefined, 'FLATFILE_API_URL must not hold a user name or password (the token goes in FLATFILE_TOKEN), got "https://ann:***@proxy.example.com/api"'],
    [undefined, 'de', 'FLATFILE_REGION must be one of us, uk, eu, au, ca, got "de"'],
    ['https://platform.flatfile.com/api', 'mars', 'FLATFILE_REGION must be one of us, uk, eu, au, ca, got "mars"'],
    ['platform.flatfile.com/api', 'eu', 'FLATFILE_REGION=eu (https://platform.eu.flatfile.com/api) and FLATFILE_API_URL=platform.flatfile.com/api name different APIs; set only one of them'],
    ['http://127.0.0.1:8787/api', 'us', 'FLATFILE_REGION=us (https://platform.flatfile.com/api) and FLATFILE_API_URL=http://127.0.0.1:8787/api name different APIs; set only one of them'],
  ])('refuses FLATFILE_API_URL=%s FLATFILE_REGION=%s', (url, region, message) => {
    let thrown: unknown;
    try {
      resolveApiEndpoint(url, region);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as Error).message).toBe(message);
  });

  it('every region resolves to a host that maps back to it', () => {
    for (const region of REGIONS) {
      const viaRegion = resolveApiEndpoint(undefined, region);
      expect(resolveApiEndpoint(viaRegion.base, undefined).region).toBe(region);
      expect(resolveApiEndpoint(viaRegion.requestBase, region).requestBase).toBe(viaRegion.requestBase);
    }
  });
});

describe('isLoopbackHost', () => {
  it.each([
    ['localhost', true], ['api.localhost', true], ['127.0.0.1', true], ['127.1.2.3', true], ['[::1]', true], ['::1', true],
    ['platform.flatfile.com', false], ['10.0.0.1', false], ['127.0.0.1.nip.io', false], ['localhost.example.com', false],
  ])('%s → %s', (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected);
  });
});

describe('what people are told', () => {
  it.each([
    [undefined, undefined, 'https://platform.flatfile.com/api/v1 (region us, the default)'],
    [undefined, 'eu', 'https://platform.eu.flatfile.com/api/v1 (region eu, from FLATFILE_REGION)'],
    ['127.0.0.1:9/api', undefined, 'http://127.0.0.1:9/api/v1 (not a Flatfile regional host, from FLATFILE_API_URL)'],
  ])('describeEndpoint(%s, %s)', (url, region, text) => {
    expect(describeEndpoint(resolveApiEndpoint(url, region))).toBe(text);
  });

  it.each([
    [undefined, undefined, 'the region in use is us (https://platform.flatfile.com/api, the default): if the account lives in another region, set FLATFILE_REGION to it (uk, eu, au, ca)'],
    [undefined, 'au', 'the region in use is au (https://platform.au.flatfile.com/api, from FLATFILE_REGION): if the account lives in another region, set FLATFILE_REGION to it (us, uk, eu, ca)'],
    ['platform.eu.flatfile.com/api', undefined, "the region in use is eu (https://platform.eu.flatfile.com/api, from FLATFILE_API_URL): if the account lives in another region, point FLATFILE_API_URL at that region's host, or unset it and set FLATFILE_REGION (us, uk, au, ca)"],
    ['http://127.0.0.1:9/api', undefined, 'the API in use is http://127.0.0.1:9/api (from FLATFILE_API_URL, not a Flatfile regional host): check that this token belongs to it'],
  ])('regionAdvice(%s, %s)', (url, region, text) => {
    expect(regionAdvice(resolveApiEndpoint(url, region))).toBe(text);
  });
});
