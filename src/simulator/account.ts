/**
 * Generates the account's entities (environments, users, spaces, guests, agents) from a seed.
 * Events are generated apart (event-factory.ts) from their own streams, so the event count never
 * changes who the users are.
 */
import type { Agent, Environment, Guest, Space, User } from './wire-types.js';
import type { AccountSize } from './options.js';
import { AGENT_SLUGS, ENVIRONMENT_NAMES, FIRST_NAMES, GUEST_EMAIL_DOMAINS, IDPS, LAST_NAMES, SHEET_SLUGS, SPACE_NAMES, USER_EMAIL_DOMAIN } from './names.js';
import type { Rng } from './random.js';
import { TOPICS } from './topics.js';

/** A workbook of a space and its sheets: events name them in their context. */
export interface WorkbookData {
  id: string;
  sheets: Array<{ id: string; slug: string }>;
}

export interface EnvironmentData {
  environment: Environment;
  /** Every space ever generated in it, archived ones included. */
  spaces: Space[];
  guests: Guest[];
  agents: Agent[];
}

export interface AccountData {
  accountId: string;
  users: User[];
  /** Users deleted before the simulation began: old events name them, /users never lists them. */
  deletedUserIds: string[];
  /** API keys (us_key_…) that act on events. */
  apiKeyIds: string[];
  environments: EnvironmentData[];
  workbooksBySpace: Map<string, WorkbookData[]>;
}

const DAY_MS = 86_400_000;

/** Builds a whole account; dates fall before or within the history window ending at nowMs. */
export function generateAccount(rng: Rng, size: AccountSize, nowMs: number, historyDays: number): AccountData {
  const accountId = rng.id('us_acc_', 8);
  const historyStart = nowMs - historyDays * DAY_MS;
  // Entities mostly predate the event history, as in an account that has been in use a while.
  const createdAt = (): number => historyStart - rng.int(1, 365) * DAY_MS + rng.int(0, DAY_MS - 1);
  const updatedAfter = (created: number): number => created + Math.floor(rng.next() * (nowMs - created));
  const iso = (ms: number): string => new Date(ms).toISOString();
  const names = uniqueNames(rng);

  const users: User[] = [];
  for (let i = 0; i < size.users; i++) {
    const { first, last } = names();
    const created = createdAt();
    const idp = rng.pick(IDPS);
    users.push({
      id: rng.id('us_usr_', 8),
      email: `${first}.${last}@${USER_EMAIL_DOMAIN}`.toLowerCase(),
      name: `${first} ${last}`,
      accountId,
      idp,
      idpRef: `${idp}|${rng.id('', 20)}`,
      metadata: i === 0 ? { role: 'owner' } : {},
      createdAt: iso(created),
      updatedAt: iso(updatedAfter(created)),
      lastSeenAt: iso(nowMs - rng.int(0, 20 * DAY_MS)),
      dashboard: rng.int(1, 4),
    });
  }
  const deletedUserIds = Array.from({ length: 3 }, () => rng.id('us_usr_', 8));
  const apiKeyIds = Array.from({ length: 2 }, () => rng.id('us_key_', 8));

  const workbooksBySpace = new Map<string, WorkbookData[]>();
  const environments: EnvironmentData[] = [];
  for (let e = 0; e < size.environments; e++) {
    const environmentId = rng.id('us_env_', 8);
    const baseName = ENVIRONMENT_NAMES[e % ENVIRONMENT_NAMES.length] as string;
    const environment: Environment = {
      id: environmentId,
      accountId,
      name: e < ENVIRONMENT_NAMES.length ? baseName : `${baseName} ${Math.floor(e / ENVIRONMENT_NAMES.length) + 1}`,
      isProd: e === 0,
      guestAuthentication: e === 0 ? ['magic_link'] : ['magic_link', 'shared_link'],
      features: {},
      metadata: {},
      namespaces: e === 0 ? ['production'] : [],
    };

    const spaces: Space[] = [];
    for (let s = 0; s < size.spacesPerEnvironment; s++) {
      const id = rng.id('us_sp_', 8);
      const created = createdAt();
      const accessToken = rng.id('sp_tok_', 24);
      const space: Space = {
        id,
        environmentId,
        name: rng.pick(SPACE_NAMES),
        // Not drawn from the seed, so the rest of the generated account stays what it was.
        guestAuthentication: s % 2 === 0 ? ['shared_link'] : ['magic_link', 'shared_link'],
        createdAt: iso(created),
        updatedAt: iso(updatedAfter(created)),
        lastActivityAt: iso(nowMs - rng.int(0, 10 * DAY_MS)),
        createdByUserId: users.length > 0 ? rng.pick(users).id : undefined,
        workbooksCount: 0,
        filesCount: rng.int(0, 12),
        namespace: 'portal',
        labels: [],
        accessToken,
        guestLink: `https://spaces.flatfile.example/space/${id}?token=${accessToken}`,
      };
      // Every fourth space is archived, so "archived=true" has something to show in each env.
      if (s % 4 === 3) space.archivedAt = iso(historyStart + rng.int(0, historyDays - 1) * DAY_MS);
      const workbooks: WorkbookData[] = Array.from({ length: rng.int(1, 3) }, () => ({
        id: rng.id('us_wb_', 8),
        sheets: Array.from({ length: rng.int(1, 3) }, () => ({ id: rng.id('us_sh_', 8), slug: rng.pick(SHEET_SLUGS) })),
      }));
      space.workbooksCount = workbooks.length;
      workbooksBySpace.set(id, workbooks);
      spaces.push(space);
    }

    const guests: Guest[] = [];
    for (let g = 0; g < size.guestsPerEnvironment; g++) {
      const { first, last } = names();
      const created = createdAt();
      const memberOf = spaces.length === 0 ? [] : sample(rng, spaces, rng.int(1, Math.min(3, spaces.length)));
      guests.push({
        id: rng.id('us_g_', 8),
        environmentId,
        email: `${first}.${last}@${rng.pick(GUEST_EMAIL_DOMAINS)}`.toLowerCase(),
        name: `${first} ${last}`,
        spaces: memberOf.map((space) => ({
          id: space.id,
          workbooks: (workbooksBySpace.get(space.id) ?? []).slice(0, 1).map((wb) => ({ id: wb.id })),
          lastAccessed: iso(nowMs - rng.int(0, 25 * DAY_MS)),
        })),
        createdAt: iso(created),
        updatedAt: iso(updatedAfter(created)),
      });
    }

    // The last environment has no agents, so "which environments have agents" has a real answer.
    const agentCount = e === size.environments - 1 ? 0 : size.agentsPerEnvironment;
    const agents: Agent[] = [];
    for (let a = 0; a < agentCount; a++) {
      const created = createdAt();
      const slug = AGENT_SLUGS[a % AGENT_SLUGS.length] as string;
      agents.push({
        id: rng.id('us_ag_', 8),
        environmentId,
        accountId,
        topics: sample(rng, TOPICS, rng.int(1, 4)),
        compiler: 'js',
        slug,
        namespace: 'space:portal',
        isSystem: false,
        source: `module.exports = { routeEvent: async (event) => { /* ${slug} */ console.log(event.topic) } }`,
        sourceMap: `{"version":3,"file":"${slug}.js","sources":["src/${slug}.ts"],"names":[],"mappings":"AAAA"}`,
        createdAt: iso(created),
        updatedAt: iso(updatedAfter(created)),
      });
    }
    environments.push({ environment, spaces, guests, agents });
  }
  return { accountId, users, deletedUserIds, apiKeyIds, environments, workbooksBySpace };
}

/** A name generator that never repeats a (first, last) pair, so emails stay unique. */
function uniqueNames(rng: Rng): () => { first: string; last: string } {
  const used = new Set<string>();
  return () => {
    for (let attempt = 0; ; attempt++) {
      const first = rng.pick(FIRST_NAMES);
      const last = rng.pick(LAST_NAMES);
      // Past the name space (over a thousand people) a suffix keeps the email unique.
      const suffix = attempt > 20 ? String(used.size) : '';
      const key = `${first} ${last}${suffix}`;
      if (used.has(key)) continue;
      used.add(key);
      return { first, last: last + suffix };
    }
  };
}

/** `count` distinct elements of `items`, in a random order. */
function sample<T>(rng: Rng, items: readonly T[], count: number): T[] {
  const pool = items.slice();
  for (let i = 0; i < count && i < pool.length; i++) {
    const j = i + Math.floor(rng.next() * (pool.length - i));
    [pool[i], pool[j]] = [pool[j] as T, pool[i] as T];
  }
  return pool.slice(0, Math.min(count, pool.length));
}
