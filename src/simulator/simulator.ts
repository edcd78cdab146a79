/**
 * The simulator's live state and knobs: the generated account, what tests changed since, tokens,
 * faults and request counts. HTTP lives in server.ts and the route files; this class is plain
 * synchronous state, usable without a server.
 */
import type { AccessToken, Agent, Environment, Event, Guest, Space, User } from './wire-types.js';
import { generateAccount, type AccountData, type EnvironmentData } from './account.js';
import { AccessHistory, GUEST_ADDED, GUEST_REMOVED, retagAccessEvents, type AccessGrant } from './access-history.js';
import { TokenBook, type PersonalAccessTokenInfo } from './auth.js';
import { SimClock } from './clock.js';
import { generateHistory, makeRecord, materialize, rawRecord, type ActorRoster } from './event-factory.js';
import { EventLog, pageOf, type PageQuery } from './event-log.js';
import { compareRecords, type EnvironmentContext, type EventRecord } from './event-record.js';
import { decideFault, resolveFaults, type FaultDecision, type Faults } from './faults.js';
import { resolveOptions, type ResolvedOptions, type SimulatorOptions } from './options.js';
import { createRng, deriveSeed, type Rng } from './random.js';
import { StatsCounter, type SimulatorStats } from './stats.js';
import { domainOf } from './topics.js';
import { wireDate } from './iso-date.js';

/** What the onEventsRequest hook is told (pageSize is the effective, capped one). */
export interface EventsRequestInfo {
  environmentId?: string;
  since?: string;
  pageNumber: number;
  pageSize: number;
}

/** What the beforeAnswer hook is told about an API request (path relative to /api/v1). */
export interface ApiRequestInfo {
  method: string;
  path: string;
  query: URLSearchParams;
}

/** What beforeAnswer may answer instead of the route: an error status with its message, or any JSON body. */
export type ScriptedReply = { status: number; message: string } | { status: number; body: unknown };

/** A GET /events query once parsed (used by the route). */
export interface EventsQuery {
  environmentId?: string;
  sinceMs?: number;
  includeAcknowledged: boolean;
  pageNumber: number;
  pageSize: number;
  spaceId?: string;
  domain?: string;
  topic?: string;
}

interface EnvironmentState {
  data: EnvironmentData;
  log: EventLog;
  context: EnvironmentContext;
}

const DAY_MS = 86_400_000;

export class Simulator {
  readonly accountId: string;
  readonly options: ResolvedOptions;
  /** Runs before an events page is computed: tests add events mid-paging with it. */
  onEventsRequest?: (query: EventsRequestInfo) => void;
  /**
   * Runs, and is awaited, before an API answer is built (after faults, before the route): tests hold
   * a request, answer it with an error, or change the data between two requests, in any order they
   * script. Its answer, if any, replaces the route's.
   */
  beforeAnswer?: (request: ApiRequestInfo) => Promise<ScriptedReply | undefined> | ScriptedReply | undefined;

  private readonly account: AccountData;
  private readonly envs = new Map<string, EnvironmentState>();
  private readonly deletedEnvironments = new Set<string>();
  /** Ids of removed users, guests, agents and spaces. */
  private readonly removed = new Set<string>();
  /** Ground truth of guest access, told by the space:guestAdded / guestRemoved events (access-history.ts). */
  private readonly access = new AccessHistory();
  private readonly tokens: TokenBook;
  private readonly liveRng: Rng;
  private readonly faultRng: Rng;
  private faultsNow: Faults;
  private readonly counters = new StatsCounter();
  private readonly time: SimClock;
  /** Bumped on every change to events, to invalidate the all-environments listing. */
  private version = 0;
  private merged: { version: number; includeAcknowledged: boolean; main: EventRecord[]; tail: EventRecord[] } | undefined;
  /** Sorting a million ids takes over a second; benchmarks ask for them repeatedly between changes. */
  private readonly idsCache = new Map<string, { version: number; ids: string[] }>();

  /** Generates the account and its events from options.seed. */
  constructor(options: SimulatorOptions = {}) {
    this.options = resolveOptions(options);
    const { seed, account: size, historyDays } = this.options;
    const nowMs = this.options.now.getTime();
    this.account = generateAccount(createRng(deriveSeed(seed, 'account')), size, nowMs, historyDays);
    this.accountId = this.account.accountId;
    this.time = new SimClock(nowMs);
    this.account.environments.forEach((data, index) => {
      const context: EnvironmentContext = {
        accountId: this.accountId,
        environmentId: data.environment.id,
        workbooksBySpace: this.account.workbooksBySpace,
      };
      const records = generateHistory(createRng(deriveSeed(seed, 'events', index)), {
        count: size.eventsPerEnvironment,
        startMs: nowMs - historyDays * DAY_MS,
        endMs: nowMs,
        duplicateRatio: this.options.duplicateTimestampRatio,
        acknowledgedRatio: this.options.acknowledgedRatio,
        spaceIds: data.spaces.map((s) => s.id),
        roster: this.roster(data, false),
        env: context,
      });
      retagAccessEvents(createRng(deriveSeed(seed, 'access', index)), data, records, this.account.users.map((u) => u.id), this.access);
      this.envs.set(data.environment.id, { data, log: new EventLog(records), context });
    });
    this.liveRng = createRng(deriveSeed(seed, 'live'));
    this.faultRng = createRng(deriveSeed(seed, 'faults'));
    this.faultsNow = this.options.faults;
    const tokenCreatedAt = new Date(nowMs - 90 * DAY_MS).toISOString();
    this.tokens = new TokenBook(this.options.pats, this.options.legacyClients, this.options.accessTokenTtlMs, createRng(deriveSeed(seed, 'tokens')), tokenCreatedAt);
  }

  // ---- clock (see clock.ts) ----------------------------------------------------------------

  /** The simulated now: options.now + real time elapsed since start + advanceClock total. */
  clock(): Date {
    return new Date(this.time.now());
  }

  /** Moves the simulated clock and token expiry forward, so tests need not sleep. */
  advanceClock(ms: number): void {
    this.time.advance(ms);
  }

  // ---- ground truth and inspection ---------------------------------------------------------

  /** Current environments (deleted ones left out). */
  environments(): Environment[] {
    return this.liveEnvs().map((s) => structuredClone(s.data.environment));
  }

  /** Sorted ids of every event GET /events?includeAcknowledged=true shows (raw events excluded). */
  eventIds(environmentId?: string): string[] {
    const key = environmentId ?? '*';
    const cached = this.idsCache.get(key);
    if (cached?.version === this.version) return cached.ids.slice();
    const states = environmentId === undefined ? this.liveEnvs() : this.liveEnvOrEmpty(environmentId);
    const ids = states.flatMap((s) => s.log.records().map((r) => r.id)).sort();
    this.idsCache.set(key, { version: this.version, ids });
    return ids.slice();
  }

  /** Number of well-formed visible events of an environment, or of all (cheaper than eventIds). */
  eventCount(environmentId?: string): number {
    const states = environmentId === undefined ? this.liveEnvs() : this.liveEnvOrEmpty(environmentId);
    return states.reduce((sum, s) => sum + s.log.size, 0);
  }

  /** The visible well-formed events of an environment, oldest first. */
  events(environmentId: string): Event[] {
    return this.liveEnvOrEmpty(environmentId).flatMap((s) => s.log.records().map((r) => materialize(r) as Event));
  }

  users(): User[] {
    return this.account.users.filter((u) => !this.removed.has(u.id)).map((u) => structuredClone(u));
  }

  /** Live guests, each listing only its live spaces. */
  guests(environmentId?: string): Guest[] {
    return this.scope(environmentId).flatMap((s) =>
      s.data.guests.filter((g) => !this.removed.has(g.id)).map((g) => this.presentGuest(g)),
    );
  }

  /** Live spaces, archived ones included. */
  spaces(environmentId?: string): Space[] {
    return this.scope(environmentId).flatMap((s) => s.data.spaces.filter((sp) => !this.removed.has(sp.id)).map((sp) => structuredClone(sp)));
  }

  agents(environmentId?: string): Agent[] {
    return this.scope(environmentId).flatMap((s) => s.data.agents.filter((a) => !this.removed.has(a.id)).map((a) => structuredClone(a)));
  }

  /** Every secret value handed out or accepted: PATs, legacy secrets, issued tokens, space tokens and links. */
  secrets(): string[] {
    const spaceSecrets = this.account.environments.flatMap((e) => e.spaces.flatMap((s) => [s.accessToken, s.guestLink]));
    return [...this.tokens.secrets(), ...spaceSecrets.filter((v): v is string => typeof v === 'string')];
  }

  stats(): SimulatorStats {
    return this.counters.snapshot();
  }

  resetStats(): void {
    this.counters.reset();
  }

  faults(): Faults {
    return { ...this.faultsNow };
  }

  // ---- changes -----------------------------------------------------------------------------

  /**
   * Adds `count` unacknowledged events, visible at once. createdAt defaults to clock(): all events
   * of one call then share a millisecond, as bursts do in the real API. A past createdAt models an
   * event that becomes visible late.
   */
  addEvents(environmentId: string, count: number, opts: { createdAt?: Date | string; actorId?: string; topic?: string } = {}): Event[] {
    const state = this.liveEnv(environmentId);
    if (!Number.isInteger(count) || count < 0) throw new Error(`addEvents count must be a non-negative integer, got ${count}`);
    const t = opts.createdAt === undefined ? this.time.now() : new Date(opts.createdAt).getTime();
    if (Number.isNaN(t)) throw new Error(`addEvents createdAt is not a valid date: ${String(opts.createdAt)}`);
    const where = { spaceIds: this.live(state.data.spaces).map((s) => s.id), roster: this.roster(state.data, true), env: state.context };
    const fixed = { topic: opts.topic, actorId: opts.actorId };
    const records = Array.from({ length: count }, () => makeRecord(this.liveRng, t, where, fixed, undefined));
    state.log.insert(records);
    this.version++;
    return records.sort(compareRecords).map((r) => materialize(r) as Event);
  }

  /** Serves `raw` verbatim in listings (malformed events); it is not part of eventIds(). */
  addRawEvent(environmentId: string, raw: unknown): void {
    const state = this.liveEnv(environmentId);
    const record = rawRecord(raw, state.context);
    if (Number.isNaN(record.t)) state.log.appendToTail(record);
    else state.log.insert([record]);
    this.version++;
  }

  deleteEnvironment(environmentId: string): void {
    this.liveEnv(environmentId);
    this.deletedEnvironments.add(environmentId);
    this.version++;
  }

  removeUser(userId: string): void {
    this.removeFrom('user', userId, this.account.users);
  }

  /** Removes a guest from the environment: each space it could reach gets a space:guestRemoved, now. */
  removeGuest(guestId: string, actorId?: string): void {
    const guest = this.findGuest(guestId);
    for (const membership of guest.spaces) this.endAccess(guest, membership.id, actorId);
    this.removeFrom('guest', guestId, this.account.environments.flatMap((e) => e.guests));
  }

  /** Gives a guest access to a space of its environment, now: a space:guestAdded event, and its updatedAt. */
  addGuestToSpace(guestId: string, spaceId: string, actorId?: string): Event {
    const guest = this.findGuest(guestId);
    if (!this.live(this.envs.get(guest.environmentId)!.data.spaces).some((s) => s.id === spaceId)) throw new Error(`space ${spaceId} is not a live space of ${guest.environmentId}`);
    if (guest.spaces.some((m) => m.id === spaceId)) throw new Error(`guest ${guestId} can already reach ${spaceId}`);
    const event = this.emit(guest.environmentId, GUEST_ADDED, spaceId, guestId, actorId);
    guest.spaces.push({ id: spaceId });
    guest.updatedAt = new Date(Date.parse(event.createdAt)).toISOString();
    this.access.grant(guestId, spaceId, Date.parse(event.createdAt));
    return event;
  }

  /** Takes a space from a guest, now: a space:guestRemoved event, and its updatedAt. */
  removeGuestFromSpace(guestId: string, spaceId: string, actorId?: string): Event {
    const guest = this.findGuest(guestId);
    if (!guest.spaces.some((m) => m.id === spaceId)) throw new Error(`guest ${guestId} cannot reach ${spaceId}`);
    return this.endAccess(guest, spaceId, actorId);
  }

  /** Renames a user (name, email or both), now: its updatedAt says when, as the API's does. */
  renameUser(userId: string, change: { name?: string; email?: string }): User {
    const user = this.account.users.find((u) => u.id === userId && !this.removed.has(u.id));
    if (user === undefined) throw new Error(`unknown user ${userId}`);
    if (change.name !== undefined) user.name = change.name;
    if (change.email !== undefined) user.email = change.email;
    user.updatedAt = new Date(this.time.now()).toISOString();
    return structuredClone(user);
  }

  /** A user signs in or works, now: their lastSeenAt moves, as the API's does; nothing else (no event, no updatedAt). */
  userSeen(userId: string): void {
    const user = this.account.users.find((u) => u.id === userId && !this.removed.has(u.id));
    if (user === undefined) throw new Error(`unknown user ${userId}`);
    user.lastSeenAt = new Date(this.time.now()).toISOString();
  }

  /** A guest opens a space it can reach, now: its lastAccessed there and the space's lastActivityAt move; nothing else. */
  guestVisit(guestId: string, spaceId: string): void {
    const membership = this.findGuest(guestId).spaces.find((m) => m.id === spaceId);
    const space = this.findSpace(spaceId);
    if (membership === undefined || space === undefined) throw new Error(`guest ${guestId} cannot reach ${spaceId}`);
    membership.lastAccessed = space.lastActivityAt = new Date(this.time.now()).toISOString();
  }

  /** Ground truth: the guests that could reach a space at a time, sorted by id. */
  guestsWithAccess(spaceId: string, at: Date | string): string[] {
    return this.access.guestsAt(spaceId, new Date(at).getTime());
  }

  /** Ground truth: every stretch of guest access the simulator knows. */
  accessGrants(): AccessGrant[] {
    return this.access.all();
  }

  removeAgent(agentId: string): void {
    this.removeFrom('agent', agentId, this.account.environments.flatMap((e) => e.agents));
  }

  removeSpace(spaceId: string): void {
    this.removeFrom('space', spaceId, this.account.environments.flatMap((e) => e.spaces));
  }

  /** That PAT or issued access token now gets 401. */
  revokeToken(token: string): void {
    this.tokens.revoke(token);
  }

  /** Changes faults at run time (unnamed knobs keep their value). */
  setFaults(change: Partial<Faults>): void {
    this.faultsNow = resolveFaults(this.faultsNow, change);
  }

  /** Changes the page-size cap from now on, as a server can between two requests of one listing. */
  setPageSizeCap(cap: number): void {
    if (!Number.isInteger(cap) || cap < 1) throw new Error(`pageSizeCap must be a positive integer, got ${cap}`);
    (this.options as { pageSizeCap: number }).pageSizeCap = cap;
  }

  // ---- used by the HTTP layer --------------------------------------------------------------

  /** Why a bearer token is refused, or undefined if it is accepted. */
  authRefusal(token: string | undefined): string | undefined {
    return this.tokens.refusal(token, this.time.wallNow(), wireDate(Math.floor(this.time.now())));
  }

  /** POST /auth: an access token for valid legacy credentials, else undefined. */
  exchangeCredentials(clientId: unknown, secret: unknown): AccessToken | undefined {
    const issued = this.tokens.exchange(clientId, secret, this.time.wallNow());
    if (issued === undefined) return undefined;
    return {
      accessToken: issued.token,
      expiresIn: String(this.tokens.ttlSeconds),
      expires: new Date(issued.expiresAtMs).toISOString(),
      accountId: this.accountId,
    };
  }

  /** The live PATs, as GET /auth/personal-access-tokens lists them (no secret values). */
  personalAccessTokens(): PersonalAccessTokenInfo[] {
    return this.tokens.patList();
  }

  /** POST /auth/personal-access-tokens: a new PAT created now, and its value (given out this once). */
  createPersonalAccessToken(name: string): { token: string; personalAccessToken: PersonalAccessTokenInfo } {
    const { token, info } = this.tokens.createPat(name, wireDate(Math.floor(this.time.now())));
    return { token, personalAccessToken: info };
  }

  /** DELETE /auth/personal-access-tokens/{id}: revoked at once; false for an unknown or already deleted id. */
  deletePersonalAccessToken(id: string): boolean {
    return this.tokens.deletePat(id);
  }

  /** Ground truth: the value of the live PAT with that id, else undefined. */
  personalAccessTokenValue(id: string): string | undefined {
    return this.tokens.patValue(id);
  }

  /** The environment's state if it exists and is not deleted. */
  findEnvironment(environmentId: string): EnvironmentData | undefined {
    return this.deletedEnvironments.has(environmentId) ? undefined : this.envs.get(environmentId)?.data;
  }

  /** A live space (not removed, environment not deleted). */
  findSpace(spaceId: string): Space | undefined {
    for (const state of this.liveEnvs()) {
      const space = state.data.spaces.find((s) => s.id === spaceId);
      if (space) return this.removed.has(spaceId) ? undefined : space;
    }
    return undefined;
  }

  /** Whether an id (user, guest, agent, space) was removed. */
  isRemoved(id: string): boolean {
    return this.removed.has(id);
  }

  /** A guest as the API shows it: memberships of removed spaces left out. */
  presentGuest(guest: Guest): Guest {
    return { ...structuredClone(guest), spaces: guest.spaces.filter((s) => !this.removed.has(s.id)).map((s) => structuredClone(s)) };
  }

  /** One page of GET /events as wire JSON; the environment (if given) must be live. */
  eventsPage(query: EventsQuery): unknown[] {
    const { spaceId, domain, topic } = query;
    const pageQuery: PageQuery = {
      sinceMs: query.sinceMs,
      includeAcknowledged: query.includeAcknowledged,
      newestFirst: this.options.eventOrder === 'newest-first',
      offset: (query.pageNumber - 1) * query.pageSize,
      limit: query.pageSize,
    };
    if (spaceId !== undefined || domain !== undefined || topic !== undefined) {
      pageQuery.filter = (r) =>
        (spaceId === undefined || r.spaceId === spaceId) && (topic === undefined || r.topic === topic) && (domain === undefined || domainOf(r.topic) === domain);
    }
    const records =
      query.environmentId === undefined
        ? pageOf(this.mergedSources(query.includeAcknowledged), pageQuery)
        : this.liveEnv(query.environmentId).log.page(pageQuery);
    return records.map(materialize);
  }

  /** The fault for one API request (after the caller checked faultsApply). */
  drawFault(): FaultDecision {
    return decideFault(this.faultsNow, this.faultRng, Date.now());
  }

  /** Counts a request for `route`. */
  countRequest(route: string): void {
    this.counters.request(route);
  }

  /** Counts how a request ended. */
  countOutcome(status: number | 'reset'): void {
    this.counters.outcome(status);
  }

  // ---- helpers -----------------------------------------------------------------------------

  private liveEnvs(): EnvironmentState[] {
    return [...this.envs.values()].filter((s) => !this.deletedEnvironments.has(s.data.environment.id));
  }

  private liveEnv(environmentId: string): EnvironmentState {
    const state = this.envs.get(environmentId);
    if (state === undefined) throw new Error(`unknown environment ${environmentId}`);
    if (this.deletedEnvironments.has(environmentId)) throw new Error(`environment ${environmentId} was deleted`);
    return state;
  }

  /** For ground-truth calls: unknown ids throw, a deleted environment simply shows nothing. */
  private liveEnvOrEmpty(environmentId: string): EnvironmentState[] {
    const state = this.envs.get(environmentId);
    if (state === undefined) throw new Error(`unknown environment ${environmentId}`);
    return this.deletedEnvironments.has(environmentId) ? [] : [state];
  }

  private scope(environmentId: string | undefined): EnvironmentState[] {
    return environmentId === undefined ? this.liveEnvs() : this.liveEnvOrEmpty(environmentId);
  }

  private live<T extends { id: string }>(items: readonly T[]): T[] {
    return items.filter((item) => !this.removed.has(item.id));
  }

  /** Who acts in an environment: everyone ever (history) or only who is still there (new events). */
  private roster(data: EnvironmentData, liveOnly: boolean): ActorRoster {
    const pick = <T extends { id: string }>(items: readonly T[]): string[] => (liveOnly ? this.live(items) : items).map((i) => i.id);
    return {
      users: pick(this.account.users),
      guests: pick(data.guests),
      agents: pick(data.agents),
      apiKeys: this.account.apiKeyIds,
      deletedUsers: this.account.deletedUserIds,
    };
  }

  private findGuest(guestId: string): Guest {
    const guest = this.account.environments.flatMap((e) => e.guests).find((g) => g.id === guestId);
    if (guest === undefined || this.removed.has(guestId)) throw new Error(`unknown guest ${guestId}`);
    return guest;
  }

  private endAccess(guest: Guest, spaceId: string, actorId: string | undefined): Event {
    const event = this.emit(guest.environmentId, GUEST_REMOVED, spaceId, guest.id, actorId);
    guest.spaces = guest.spaces.filter((m) => m.id !== spaceId);
    guest.updatedAt = new Date(Date.parse(event.createdAt)).toISOString();
    this.access.revoke(guest.id, spaceId, Date.parse(event.createdAt));
    return event;
  }

  /** One event at the simulated now about `subjectId`, caused by `actorId` (else a live user). */
  private emit(environmentId: string, topic: string, spaceId: string, subjectId: string, actorId: string | undefined): Event {
    const state = this.liveEnv(environmentId);
    const roster = this.roster(state.data, true);
    const actor = actorId ?? (roster.users.length > 0 ? this.liveRng.pick(roster.users) : undefined);
    const record = makeRecord(this.liveRng, this.time.now(), { spaceIds: [spaceId], roster, env: state.context }, { topic, ...(actor ? { actorId: actor } : {}) }, undefined);
    record.subjectId = subjectId;
    state.log.insert([record]);
    this.version++;
    return materialize(record) as Event;
  }

  private removeFrom(kind: string, id: string, items: ReadonlyArray<{ id: string }>): void {
    if (!items.some((item) => item.id === id)) throw new Error(`unknown ${kind} ${id}`);
    this.removed.add(id);
  }

  /** All live environments' events in one sorted listing, rebuilt only after a change. */
  private mergedSources(includeAcknowledged: boolean): { main: EventRecord[]; tail: EventRecord[] } {
    const cached = this.merged;
    if (cached && cached.version === this.version && cached.includeAcknowledged === includeAcknowledged) return cached;
    const sources = this.liveEnvs().map((s) => s.log.sources(includeAcknowledged));
    const main = sources.flatMap((s) => s.main).sort(compareRecords);
    const tail = sources.flatMap((s) => s.tail);
    this.merged = { version: this.version, includeAcknowledged, main, tail };
    return this.merged;
  }
}
