import { describe, expect, it } from 'vitest';
import { parseEvent } from '../../src/flatfile/events.js';
import { parseSpace } from '../../src/flatfile/spaces.js';
import { parseAgent } from '../../src/flatfile/agents.js';
import { rawJson } from '../../src/flatfile/scrub.js';

const good = {
  id: 'us_evt_1',
  topic: 'workbook:updated',
  domain: 'workbook',
  createdAt: '2026-10-01T10:00:00.300Z',
  payload: { rows: 3 },
  context: { environmentId: 'us_env_1', spaceId: 'us_sp_1', actorId: 'us_usr_1' },
  newFieldNobodyKnows: { x: 1 },
};

describe('parseEvent', () => {
  it('keeps the columns and the whole object, unknown fields included', () => {
    const parsed = parseEvent(good, 'us_env_1');
    expect(parsed).toMatchObject({ id: 'us_evt_1', createdAt: '2026-10-01T10:00:00.300Z', actorId: 'us_usr_1', spaceId: 'us_sp_1', domain: 'workbook' });
    expect(JSON.parse((parsed as { raw: string }).raw)).toEqual(good);
  });

  it('normalises createdAt so that text order is time order', () => {
    expect(parseEvent({ ...good, createdAt: '2026-10-01T12:00:00+02:00' }, 'us_env_1')).toMatchObject({ createdAt: '2026-10-01T10:00:00.000Z' });
  });

  it.each([
    ['not an object', 'nope', 'event is not an object'],
    ['no id', { ...good, id: undefined }, 'event has no id'],
    ['numeric id', { ...good, id: 42 }, 'event has no id'],
    ['no createdAt', { ...good, createdAt: undefined }, 'event has no valid createdAt'],
    ['garbage createdAt', { ...good, createdAt: 'yesterday' }, 'event has no valid createdAt'],
    ['no topic', { ...good, topic: '' }, 'event has no topic'],
    ['context not an object', { ...good, context: 'x' }, 'event context is not an object'],
    ['actorId not a string', { ...good, context: { actorId: 7 } }, 'event context.actorId is not a string'],
  ])('rejects an event with %s, keeping the reason and the raw JSON', (_name, item, reason) => {
    const parsed = parseEvent(item, 'us_env_1');
    expect(parsed).toMatchObject({ environmentId: 'us_env_1' });
    expect((parsed as { reason: string }).reason).toContain(reason);
    expect((parsed as { raw: string }).raw).toBe(JSON.stringify(item));
  });
});

describe('secrets never leave the parser', () => {
  it('drops a space accessToken and guestLink, and credential-looking keys at any depth', () => {
    const space = parseSpace(
      { id: 'us_sp_1', name: 'S', createdAt: '2026-10-01T00:00:00.000Z', accessToken: 'sp_tok_SECRET', guestLink: 'https://x/?token=sp_tok_SECRET', metadata: { nested: { apiKey: 'k_SECRET', ok: 1 } } },
      'us_env_1',
    );
    expect(typeof space).toBe('object');
    expect((space as { raw: string }).raw).not.toMatch(/SECRET/);
    expect(JSON.parse((space as { raw: string }).raw)).toEqual({ id: 'us_sp_1', name: 'S', createdAt: '2026-10-01T00:00:00.000Z', metadata: { nested: { ok: 1 } } });
  });

  it("drops an agent's source code", () => {
    const agent = parseAgent({ id: 'us_ag_1', slug: 'a', topics: ['job:ready'], source: 'module.exports = 1', createdAt: '2026-10-01T00:00:00.000Z' }, 'us_env_1');
    expect((agent as { raw: string }).raw).not.toContain('module.exports');
  });

  it('keeps keys that merely contain a secret-looking word in the middle', () => {
    expect(JSON.parse(rawJson({ tokenCount: 3, source: 'upload' }))).toEqual({ tokenCount: 3, source: 'upload' });
  });
});
