/**
 * Where the Flatfile API is, in Flatfile's own dialect: FLATFILE_API_URL is the base *without* the
 * version (`https://platform.eu.flatfile.com/api`; Flatfile's CLI docs even leave out the scheme)
 * and the client adds `/v1`, as the official SDK does; FLATFILE_REGION names a regional host. This
 * is the one place that parses FLATFILE_API_URL and the one place that adds the version.
 */
import { isLoopbackHost } from '../host-name.js';
import { ConfigError } from '../errors.js';

export const REGIONS = ['us', 'uk', 'eu', 'au', 'ca'] as const;
export type Region = (typeof REGIONS)[number];

/** Flatfile's regional API bases, as Flatfile's documentation lists them. */
export const REGION_API_URLS: Readonly<Record<Region, string>> = {
  us: 'https://platform.flatfile.com/api',
  uk: 'https://platform.uk.flatfile.com/api',
  eu: 'https://platform.eu.flatfile.com/api',
  au: 'https://platform.au.flatfile.com/api',
  ca: 'https://platform.ca.flatfile.com/api',
};

export const DEFAULT_REGION: Region = 'us';

/** The version path every request goes under; added here and nowhere else. */
const VERSION_PATH = '/v1';

export interface ApiEndpoint {
  /** The base in Flatfile's form, without version or trailing slash: `https://platform.eu.flatfile.com/api`. */
  readonly base: string;
  /** `base`, parsed (protocol, hostname, port), for checks that depend on the host. */
  readonly url: URL;
  /** Where requests go: `base` plus `/v1`, exactly once. */
  readonly requestBase: string;
  /** The Flatfile region whose host this is; undefined for any other host (a proxy, the simulator). */
  readonly region: Region | undefined;
  /** What chose it. */
  readonly from: 'FLATFILE_API_URL' | 'FLATFILE_REGION' | 'default';
}

/**
 * Resolves FLATFILE_API_URL and FLATFILE_REGION (raw values, either may be absent) into the one
 * endpoint to use; throws ConfigError naming the variable when a value is bad or the two disagree.
 */
export function resolveApiEndpoint(rawUrl: string | undefined, rawRegion: string | undefined): ApiEndpoint {
  const region = rawRegion === undefined ? undefined : parseRegion(rawRegion);
  if (rawUrl === undefined) {
    return endpoint(new URL(REGION_API_URLS[region ?? DEFAULT_REGION]), region === undefined ? 'default' : 'FLATFILE_REGION');
  }
  const url = parseApiUrl(rawUrl);
  const found = endpoint(url, 'FLATFILE_API_URL');
  if (region !== undefined && found.region !== region) {
    throw new ConfigError(
      `FLATFILE_REGION=${region} (${REGION_API_URLS[region]}) and FLATFILE_API_URL=${rawUrl} name different APIs; set only one of them`,
    );
  }
  return found;
}

/** The region named by FLATFILE_REGION, any case. */
export function parseRegion(raw: string): Region {
  const value = raw.trim().toLowerCase();
  if (!(REGIONS as readonly string[]).includes(value)) {
    throw new ConfigError(`FLATFILE_REGION must be one of ${REGIONS.join(', ')}, got "${raw}"`);
  }
  return value as Region;
}

/**
 * FLATFILE_API_URL in any form Flatfile users have, normalised to the base without the version:
 * with or without `/v1`, with or without trailing slashes, with or without a scheme (https is
 * assumed, http for a loopback host, where nothing serves TLS).
 */
export function parseApiUrl(raw: string): URL {
  const text = raw.trim();
  if (/^https?:(?!\/\/)/i.test(text)) {
    throw new ConfigError(`FLATFILE_API_URL must be a URL like ${REGION_API_URLS.eu}, got "${redactUserinfo(text)}"`);
  }
  const hasScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text);
  let url: URL;
  try {
    if (hasScheme) {
      url = new URL(text);
    } else {
      const schemeless = text.replace(/^\/\//, '');
      url = new URL(`https://${schemeless}`);
      if (isLoopbackHost(url.hostname)) url = new URL(`http://${schemeless}`);
    }
  } catch {
    throw new ConfigError(`FLATFILE_API_URL must be a URL like ${REGION_API_URLS.eu}, got "${redactUserinfo(text)}"`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigError(`FLATFILE_API_URL must be an http(s) URL like ${REGION_API_URLS.eu}, got "${redactUserinfo(text)}"`);
  }
  if (url.username || url.password) {
    throw new ConfigError(`FLATFILE_API_URL must not hold a user name or password (the token goes in FLATFILE_TOKEN), got "${redactUserinfo(text)}"`);
  }
  if (url.search || url.hash) {
    throw new ConfigError(`FLATFILE_API_URL must be a base URL without ?query or #fragment, got "${text}"`);
  }
  url.pathname = stripVersion(url.pathname);
  const region = regionOfHost(url.hostname);
  if (region !== undefined && url.pathname !== '/api') {
    // Flatfile's hosts serve the dashboard at / and the API under /api: anything else is a typo.
    throw new ConfigError(`FLATFILE_API_URL ${url.origin}${url.pathname} is not where Flatfile serves the API; use ${REGION_API_URLS[region]}`);
  }
  return url;
}


/** One line for people: the URL requests go to, and why that one. */
export function describeEndpoint(e: ApiEndpoint): string {
  const region = e.region === undefined ? 'not a Flatfile regional host' : `region ${e.region}`;
  const from = e.from === 'default' ? 'the default' : `from ${e.from}`;
  return `${e.requestBase} (${region}, ${from})`;
}

/**
 * The advice for a token refused before any call succeeded: most often a token of an account in
 * another region, since each region's host knows only its own accounts.
 */
export function regionAdvice(e: ApiEndpoint): string {
  if (e.region === undefined) {
    return `the API in use is ${e.base} (from FLATFILE_API_URL, not a Flatfile regional host): check that this token belongs to it`;
  }
  const others = REGIONS.filter((r) => r !== e.region).join(', ');
  const fix = e.from === 'FLATFILE_API_URL'
    ? `point FLATFILE_API_URL at that region's host, or unset it and set FLATFILE_REGION (${others})`
    : `set FLATFILE_REGION to it (${others})`;
  return `the region in use is ${e.region} (${e.base}, ${e.from === 'default' ? 'the default' : `from ${e.from}`}): if the account lives in another region, ${fix}`;
}

function endpoint(url: URL, from: ApiEndpoint['from']): ApiEndpoint {
  const base = `${url.origin}${url.pathname === '/' ? '' : url.pathname}`;
  return { base, url, requestBase: `${base}${VERSION_PATH}`, region: regionOfHost(url.hostname), from };
}

function regionOfHost(hostname: string): Region | undefined {
  return REGIONS.find((r) => new URL(REGION_API_URLS[r]).hostname === hostname);
}

/** Drops trailing slashes and one trailing version segment: `/api/v1/` and `/api/` are both `/api`. */
function stripVersion(pathname: string): string {
  const trimmed = pathname.replace(/\/+$/, '');
  const unversioned = trimmed.endsWith(VERSION_PATH) ? trimmed.slice(0, -VERSION_PATH.length).replace(/\/+$/, '') : trimmed;
  return unversioned === '' ? '/' : unversioned;
}

function redactUserinfo(text: string): string {
  return text.replace(/\/\/([^:/@]*):([^@]*)@/, '//$1:***@');
}
