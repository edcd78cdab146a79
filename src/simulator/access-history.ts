/**
 * Which guest could reach which space, when: the simulator's ground truth of guest access, and the
 * space:guestAdded / space:guestRemoved events that tell it. Every grant and revocation the
 * simulator makes is one interval here and one event in the environment's history, so the two never
 * disagree: a guest's current memberships were granted by an event of the generated history (while
 * it holds enough events; otherwise since the guest was created, with no event), some guests had a
 * space for a while and lost it, and live changes (addGuestToSpace, removeGuestFromSpace,
 * removeGuest) add both at the simulated now.
 */
import type { EnvironmentData } from './account.js';
import type { EventRecord } from './event-record.js';
import type { Rng } from './random.js';

export const GUEST_ADDED = 'space:guestAdded';
export const GUEST_REMOVED = 'space:guestRemoved';

/** One stretch of access: from `fromMs` (inclusive) until `untilMs` (exclusive; undefined: still). */
export interface AccessGrant {
  guestId: string;
  spaceId: string;
  fromMs: number;
  untilMs: number | undefined;
}

export class AccessHistory {
  private readonly grants: AccessGrant[] = [];

  /** Records a grant; a guest already in the space keeps its open grant. */
  grant(guestId: string, spaceId: string, atMs: number): void {
    if (this.open(guestId, spaceId) === undefined) this.grants.push({ guestId, spaceId, fromMs: atMs, untilMs: undefined });
  }

  /** Ends the guest's open grant to the space, if it has one; true if it had. */
  revoke(guestId: string, spaceId: string, atMs: number): boolean {
    const open = this.open(guestId, spaceId);
    if (open === undefined) return false;
    open.untilMs = atMs;
    return true;
  }

  /** Ids of the guests that could reach the space at `atMs`, sorted. */
  guestsAt(spaceId: string, atMs: number): string[] {
    const ids = this.grants.filter((g) => g.spaceId === spaceId && g.fromMs <= atMs && (g.untilMs === undefined || atMs < g.untilMs)).map((g) => g.guestId);
    return [...new Set(ids)].sort();
  }

  all(): AccessGrant[] {
    return this.grants.map((g) => ({ ...g }));
  }

  private open(guestId: string, spaceId: string): AccessGrant | undefined {
    return this.grants.find((g) => g.guestId === guestId && g.spaceId === spaceId && g.untilMs === undefined);
  }
}

/**
 * Turns events of a generated history into the access events of its environment's guests: one
 * space:guestAdded per current membership, and for about a third of the guests a space they had
 * for a while (added, later removed). Only the topic, space, actor and subject of a drawn event
 * change, so the history keeps its size and order. `users` act on them.
 */
export function retagAccessEvents(rng: Rng, data: EnvironmentData, records: EventRecord[], users: readonly string[], access: AccessHistory): void {
  // Drawn at random, each event once; a history with too few events leaves the rest of the grants without one.
  const used = new Set<number>();
  const take = (): number | undefined => {
    if (used.size * 2 >= records.length) return undefined;
    for (;;) {
      const i = Math.floor(rng.next() * records.length);
      if (!used.has(i)) {
        used.add(i);
        return i;
      }
    }
  };
  const retag = (i: number, topic: string, guestId: string, spaceId: string): EventRecord => {
    const record = records[i]!;
    record.topic = topic;
    record.spaceId = spaceId;
    record.subjectId = guestId;
    if (users.length > 0) record.actorId = rng.pick(users);
    return record;
  };
  for (const guest of data.guests) {
    for (const membership of guest.spaces) {
      const i = take();
      if (i === undefined) access.grant(guest.id, membership.id, Date.parse(guest.createdAt));
      else access.grant(guest.id, membership.id, retag(i, GUEST_ADDED, guest.id, membership.id).t);
    }
    const formerSpaces = data.spaces.filter((s) => !guest.spaces.some((m) => m.id === s.id));
    if (formerSpaces.length === 0 || !rng.chance(1 / 3)) continue;
    const [a, b] = [take(), take()];
    if (a === undefined || b === undefined) continue;
    const space = rng.pick(formerSpaces);
    const [from, until] = records[a]!.t <= records[b]!.t ? [a, b] : [b, a];
    // Equal times would make the grant and its end one instant: no access at all, as far as anyone can tell.
    if (records[from]!.t === records[until]!.t) continue;
    access.grant(guest.id, space.id, retag(from, GUEST_ADDED, guest.id, space.id).t);
    access.revoke(guest.id, space.id, retag(until, GUEST_REMOVED, guest.id, space.id).t);
  }
}
