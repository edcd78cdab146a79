/** Options of the simulator, their defaults and their validation. */
import { resolveFaults, type Faults } from './faults.js';

/** How big the generated account is. */
export interface AccountSize {
  environments: number;
  /** Account-level users. */
  users: number;
  /** Some of them are archived. */
  spacesPerEnvironment: number;
  /** Each guest is in 1..3 spaces of its environment. */
  guestsPerEnvironment: number;
  /** The last environment always gets 0 agents. */
  agentsPerEnvironment: number;
  eventsPerEnvironment: number;
}

export interface SimulatorOptions {
  seed?: number;
  account?: Partial<AccountSize>;
  /** The reference "now": generated history ends here. */
  now?: Date;
  historyDays?: number;
  eventOrder?: 'newest-first' | 'oldest-first';
  pageSizeCap?: number;
  acknowledgedRatio?: number;
  duplicateTimestampRatio?: number;
  pats?: string[];
  legacyClients?: Array<{ clientId: string; secret: string }>;
  accessTokenTtlMs?: number;
  faults?: Partial<Faults>;
  host?: string;
  port?: number;
}

export type ResolvedOptions = Required<Omit<SimulatorOptions, 'account' | 'faults'>> & {
  account: AccountSize;
  faults: Faults;
};

export const DEFAULT_ACCOUNT_SIZE: Readonly<AccountSize> = {
  environments: 3,
  users: 12,
  spacesPerEnvironment: 4,
  guestsPerEnvironment: 6,
  agentsPerEnvironment: 2,
  eventsPerEnvironment: 500,
};

export const DEFAULT_NOW = new Date('2026-11-01T00:00:00.000Z');

/** Merges defaults and checks every value; throws an Error naming the bad option. */
export function resolveOptions(options: SimulatorOptions = {}): ResolvedOptions {
  const account: AccountSize = { ...DEFAULT_ACCOUNT_SIZE, ...options.account };
  for (const [key, value] of Object.entries(account)) {
    if (!Number.isInteger(value) || value < 0) throw new Error(`account.${key} must be a non-negative integer, got ${value}`);
  }
  const resolved: ResolvedOptions = {
    seed: options.seed ?? 1,
    account,
    now: options.now ?? DEFAULT_NOW,
    historyDays: options.historyDays ?? 30,
    eventOrder: options.eventOrder ?? 'newest-first',
    pageSizeCap: options.pageSizeCap ?? 1000,
    acknowledgedRatio: options.acknowledgedRatio ?? 0.4,
    duplicateTimestampRatio: options.duplicateTimestampRatio ?? 0.2,
    pats: options.pats ?? ['sk_sim_pat_default'],
    legacyClients: options.legacyClients ?? [{ clientId: 'sim-client', secret: 'sim-secret' }],
    accessTokenTtlMs: options.accessTokenTtlMs ?? 24 * 60 * 60 * 1000,
    faults: resolveFaults(undefined, options.faults ?? {}),
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
  };
  if (!Number.isFinite(resolved.seed)) throw new Error(`seed must be a finite number, got ${resolved.seed}`);
  if (Number.isNaN(resolved.now.getTime())) throw new Error('now must be a valid Date');
  if (!(resolved.historyDays > 0)) throw new Error(`historyDays must be greater than 0, got ${resolved.historyDays}`);
  if (resolved.eventOrder !== 'newest-first' && resolved.eventOrder !== 'oldest-first') {
    throw new Error(`eventOrder must be 'newest-first' or 'oldest-first', got ${String(resolved.eventOrder)}`);
  }
  if (!Number.isInteger(resolved.pageSizeCap) || resolved.pageSizeCap < 1) {
    throw new Error(`pageSizeCap must be a positive integer, got ${resolved.pageSizeCap}`);
  }
  for (const key of ['acknowledgedRatio', 'duplicateTimestampRatio'] as const) {
    const value = resolved[key];
    if (!(value >= 0 && value <= 1)) throw new Error(`${key} must be between 0 and 1, got ${value}`);
  }
  if (resolved.pats.some((pat) => typeof pat !== 'string' || pat === '')) throw new Error('pats must be non-empty strings');
  if (resolved.legacyClients.some((c) => !c.clientId || !c.secret)) {
    throw new Error('legacyClients need a non-empty clientId and secret');
  }
  if (!(resolved.accessTokenTtlMs >= 0)) throw new Error(`accessTokenTtlMs must be >= 0, got ${resolved.accessTokenTtlMs}`);
  if (!Number.isInteger(resolved.port) || resolved.port < 0 || resolved.port > 65535) {
    throw new Error(`port must be an integer in 0..65535, got ${resolved.port}`);
  }
  return resolved;
}
