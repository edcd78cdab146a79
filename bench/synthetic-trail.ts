/**
 * A deterministic synthetic trail for the explorer benchmark, written through the store's own
 * interface: an account shaped like the simulator's (environments, users and guests as actors,
 * topics, spaces, several events per timestamp), any size, on any store.
 */
import type { EnvironmentRecord, EventRecord, GuestRecord, PersonalAccessTokenRecord, UserRecord } from '../src/records.js';
import { openStore, type StoreSettings } from '../src/store/open-store.js';

const TOPICS = ['workbook:created', 'workbook:updated', 'records:created', 'records:updated', 'records:deleted', 'job:created', 'job:completed', 'job:failed', 'file:created', 'file:deleted', 'space:created', 'space:guestAdded', 'space:guestRemoved', 'sheet:updated', 'commit:created'];
const USERS = 60;
const GUESTS_PER_ENVIRONMENT = 20;
const SPACES_PER_ENVIRONMENT = 12;
const DAY = 86_400_000;
const TOKENS = 5;

/** A guest gained or lost a space: the API names the guest in the payload (guest_access reads it there). */
function accessPayload(topic: string, environmentId: string, n: number): { payload?: { guestId: string } } {
  if (topic !== 'space:guestAdded' && topic !== 'space:guestRemoved') return {};
  return { payload: { guestId: `us_g_${environmentId}_${(n * 5) % GUESTS_PER_ENVIRONMENT}` } };
}

function pick<T>(items: readonly T[], n: number): T {
  return items[n % items.length]!;
}

/**
 * Event `n` of the `count` events of environment number `e` (`environmentId`), spread over `span` ms
 * from `start`: three events share each timestamp, as the keyset paging's ties, as real bursts make them.
 */
export function syntheticEvent(e: number, environmentId: string, n: number, count: number, start: number, span: number): EventRecord {
  const createdAt = new Date(start + Math.floor((Math.floor(n / 3) * 3 * span) / count)).toISOString();
  const actorId = n % 4 === 0 ? `us_g_${environmentId}_${n % GUESTS_PER_ENVIRONMENT}` : n % 9 === 0 ? null : `us_usr_bench${(n * 7 + e) % USERS}`;
  const topic = pick(TOPICS, n * 13 + e);
  return {
    id: `us_evt_b${e}_${n}`, environmentId, createdAt, topic, domain: topic.split(':')[0]!, actorId,
    spaceId: `us_sp_${e}_${n % SPACES_PER_ENVIRONMENT}`, workbookId: n % 2 === 0 ? `us_wb_${e}_${n % 200}` : null, sheetId: null, jobId: topic.startsWith('job') ? `us_jb_${e}_${n}` : null,
    acknowledgedAt: null, deletedAt: null, raw: JSON.stringify({ id: `us_evt_b${e}_${n}`, topic, createdAt, context: { environmentId, actorId }, ...accessPayload(topic, environmentId, n) }),
  };
}

/** How many events each environment gets (the last may get fewer). */
export function eventsPerEnvironment(events: number, environments: number): number {
  return Math.ceil(events / environments);
}

/** A deterministic synthetic trail of `events` events over `environments` environments and `days` days up to `end`. */
export async function fillStore(settings: StoreSettings, options: { events: number; environments: number; days: number; end: Date }): Promise<void> {
  const store = await openStore(settings);
  try {
    const seenAt = options.end.toISOString();
    const environments: EnvironmentRecord[] = Array.from({ length: options.environments }, (_v, i) => ({
      id: `us_env_bench${i}`, accountId: 'us_acc_bench', name: `Environment ${i}`, isProd: i === 0, raw: JSON.stringify({ id: `us_env_bench${i}` }),
    }));
    await store.writeInventory({ kind: 'environments', scope: null, records: environments, seenAt });
    const users: UserRecord[] = Array.from({ length: USERS }, (_v, i) => ({
      id: `us_usr_bench${i}`, email: `user${i}@bench.example`, name: `User ${i} Bench`, createdAt: seenAt, lastSeenAt: null, raw: JSON.stringify({ id: i }),
    }));
    await store.writeInventory({ kind: 'users', scope: null, records: users, seenAt });
    // A few tokens of the calling user, for /tokens: some used lately, some long ago, one never.
    const tokens: PersonalAccessTokenRecord[] = Array.from({ length: TOKENS }, (_v, i) => ({
      id: `us_pat_bench${i}`, name: `token ${i}`, createdAt: new Date(options.end.getTime() - (30 + 60 * i) * DAY).toISOString(),
      lastUsedAt: i === TOKENS - 1 ? null : new Date(options.end.getTime() - 40 * i * DAY).toISOString(), raw: '{}',
    }));
    await store.writeInventory({ kind: 'personal_access_tokens', scope: null, records: tokens, seenAt });
    for (const env of environments) {
      const guests: GuestRecord[] = Array.from({ length: GUESTS_PER_ENVIRONMENT }, (_v, i) => ({
        id: `us_g_${env.id}_${i}`, environmentId: env.id, email: `guest${i}@${env.id}.example`, name: `Guest ${i}`, spaces: [], raw: '{}',
      }));
      await store.writeInventory({ kind: 'guests', scope: env.id, records: guests, seenAt });
    }
    const perEnvironment = eventsPerEnvironment(options.events, options.environments);
    const span = options.days * DAY;
    const start = options.end.getTime() - span;
    const PAGE = 1000;
    for (const [e, env] of environments.entries()) {
      const count = Math.min(perEnvironment, options.events - e * perEnvironment);
      for (let from = 0; from < count; from += PAGE) {
        const events: EventRecord[] = [];
        for (let n = from; n < Math.min(count, from + PAGE); n++) events.push(syntheticEvent(e, env.id, n, count, start, span));
        const last = from + PAGE >= count;
        await store.writePages([{
          environmentId: env.id, events, rejected: [],
          cursor: last ? { kind: 'complete', highWater: events.at(-1)!.createdAt, completedAt: seenAt } : { kind: 'progress', listing: { since: null, pageSize: PAGE, nextPage: from / PAGE + 2, maxCreatedAt: events.at(-1)!.createdAt, pageFill: PAGE, startedAt: seenAt } },
        }]);
      }
    }
  } finally {
    await store.close();
  }
}
