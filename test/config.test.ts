/** Settings read the way Flatfile's own tools name them: token aliases, API URL and region. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_API_URL, loadConfig, redactUrl } from '../src/config.js';
import { ConfigError } from '../src/errors.js';
import { describeCredential } from '../src/flatfile/credentials.js';

function refusal(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('loadConfig accepted a bad combination');
}

describe('the token, under any of its names', () => {
  it.each(['FLATFILE_TOKEN', 'FLATFILE_BEARER_TOKEN', 'FLATFILE_API_KEY'] as const)('%s is a Personal Access Token, and is named as its source', (name) => {
    const config = loadConfig({ [name]: ' sk_from_env ' });
    expect(config.credentials).toEqual({ kind: 'token', token: 'sk_from_env', variable: name });
    expect(describeCredential(config.credentials)).toBe(name);
  });

  it('an empty alias counts as unset', () => {
    expect(loadConfig({ FLATFILE_API_KEY: 'sk_one', FLATFILE_BEARER_TOKEN: ' ', FLATFILE_TOKEN: '' }).credentials).toMatchObject({ variable: 'FLATFILE_API_KEY' });
  });

  it.each([
    [{ FLATFILE_BEARER_TOKEN: 'sk_a', FLATFILE_API_KEY: 'sk_b' }, 'set only one of FLATFILE_BEARER_TOKEN, FLATFILE_API_KEY (they are aliases, and a token must come from one place)'],
    [{ FLATFILE_BEARER_TOKEN: 'sk_same', FLATFILE_API_KEY: 'sk_same' }, 'set only one of FLATFILE_BEARER_TOKEN, FLATFILE_API_KEY (they are aliases, and a token must come from one place)'],
    [{ FLATFILE_TOKEN: 'sk_a', FLATFILE_API_KEY: 'sk_b' }, 'set only one of FLATFILE_TOKEN, FLATFILE_API_KEY (they are aliases, and a token must come from one place)'],
    [{ FLATFILE_API_KEY: 'sk_a', FLATFILE_TOKEN_FILE: '/run/secrets/t' }, 'set only one of FLATFILE_API_KEY, FLATFILE_TOKEN_FILE (they name different credentials)'],
    [{ FLATFILE_BEARER_TOKEN: 'sk_a', FLATFILE_CLIENT_ID: 'c', FLATFILE_SECRET: 's' }, 'set only one of FLATFILE_BEARER_TOKEN, FLATFILE_CLIENT_ID/FLATFILE_SECRET (they name different credentials)'],
  ])('refuses %j', (env, message) => {
    const text = refusal(env);
    expect(text).toBe(message);
    expect(text).not.toMatch(/sk_/);
  });
});

describe('the API URL', () => {
  it("defaults to Flatfile's US host in Flatfile's own form", () => {
    expect(DEFAULT_API_URL).toBe('https://platform.flatfile.com/api');
    expect(loadConfig({}).api).toMatchObject({ base: DEFAULT_API_URL, requestBase: `${DEFAULT_API_URL}/v1`, region: 'us', from: 'default' });
  });

  it('takes FLATFILE_REGION, and FLATFILE_API_URL in any of its forms', () => {
    expect(loadConfig({ FLATFILE_REGION: 'ca' }).api.requestBase).toBe('https://platform.ca.flatfile.com/api/v1');
    expect(loadConfig({ FLATFILE_API_URL: 'platform.eu.flatfile.com/api' }).api.requestBase).toBe('https://platform.eu.flatfile.com/api/v1');
    expect(loadConfig({ FLATFILE_API_URL: '  ', FLATFILE_REGION: 'uk' }).api.requestBase).toBe('https://platform.uk.flatfile.com/api/v1');
  });

  it('refuses a region and a URL that disagree, naming both', () => {
    expect(refusal({ FLATFILE_REGION: 'au', FLATFILE_API_URL: 'https://platform.eu.flatfile.com/api/v1' })).toBe(
      'FLATFILE_REGION=au (https://platform.au.flatfile.com/api) and FLATFILE_API_URL=https://platform.eu.flatfile.com/api/v1 name different APIs; set only one of them',
    );
  });
});

describe('redactUrl', () => {
  it.each([
    ['redis://user:secret@host:6379/0', 'redis://user:***@host:6379/0'],
    ['redis://:p@ss@host:6379', 'redis://:***@host:6379'],
    ['https://ann:a@b@c@hooks.example.com/x', 'https://ann:***@hooks.example.com/x'],
    ['redis://host:6379', 'redis://host:6379'],
  ])('%s shows no part of the password', (url, shown) => {
    expect(redactUrl(url)).toBe(shown);
  });
});
