/**
 * Tokens the simulator accepts: Personal Access Tokens given in the options and access tokens
 * issued by POST /auth. Token lifetimes run on the wall clock (plus any advanceClock), because
 * clients compare `expires` with their own clock.
 */
import type { Rng } from './random.js';
import type { PersonalAccessToken } from './wire-types.js';

/** A PAT as the API lists it; `lastUsedAt` is absent until a request carries the token. */
export type PersonalAccessTokenInfo = PersonalAccessToken;

export class TokenBook {
  private readonly pats: Map<string, PersonalAccessTokenInfo>;
  private readonly issued = new Map<string, number>(); // token -> expiry (ms)
  private readonly revoked = new Set<string>();

  constructor(
    pats: readonly string[],
    private readonly clients: ReadonlyArray<{ clientId: string; secret: string }>,
    private readonly ttlMs: number,
    private readonly rng: Rng,
    createdAt: string,
  ) {
    this.pats = new Map(pats.map((pat, i) => [pat, { id: rng.id('us_pat_', 8), name: `Token ${i + 1}`, createdAt }]));
  }

  /**
   * Why `token` is refused, or undefined when it is accepted. An accepted PAT's lastUsedAt becomes
   * `usedAt` (the simulated clock, which its createdAt is on too).
   */
  refusal(token: string | undefined, nowMs: number, usedAt: string): string | undefined {
    if (token === undefined || token === '') return 'missing bearer token';
    if (this.revoked.has(token)) return 'token has been revoked';
    const pat = this.pats.get(token);
    if (pat !== undefined) {
      pat.lastUsedAt = usedAt;
      return undefined;
    }
    const expiry = this.issued.get(token);
    if (expiry === undefined) return 'invalid token';
    if (nowMs >= expiry) return 'token has expired';
    return undefined;
  }

  /** A new access token for valid legacy credentials, else undefined. */
  exchange(clientId: unknown, secret: unknown, nowMs: number): { token: string; expiresAtMs: number } | undefined {
    if (!this.clients.some((c) => c.clientId === clientId && c.secret === secret)) return undefined;
    const token = this.rng.id('sim_at_', 32);
    const expiresAtMs = nowMs + this.ttlMs;
    this.issued.set(token, expiresAtMs);
    return { token, expiresAtMs };
  }

  get ttlSeconds(): number {
    return Math.round(this.ttlMs / 1000);
  }

  revoke(token: string): void {
    this.revoked.add(token);
  }

  /** POST /auth/personal-access-tokens: a new PAT, accepted at once; its value is handed out this once. */
  createPat(name: string, createdAt: string): { token: string; info: PersonalAccessTokenInfo } {
    const token = this.rng.id('pat_sim_', 40);
    const info: PersonalAccessTokenInfo = { id: this.rng.id('us_pat_', 8), name, createdAt };
    this.pats.set(token, info);
    return { token, info: { ...info } };
  }

  /** DELETE /auth/personal-access-tokens/{id}: revokes that PAT at once; false when no live PAT has the id. */
  deletePat(id: string): boolean {
    for (const [token, info] of this.pats) {
      if (info.id === id && !this.revoked.has(token)) {
        this.revoked.add(token);
        return true;
      }
    }
    return false;
  }

  /** The secret value of the live PAT with that id (tests: the token a client was handed). */
  patValue(id: string): string | undefined {
    for (const [token, info] of this.pats) if (info.id === id && !this.revoked.has(token)) return token;
    return undefined;
  }

  /** The PATs still accepted, as GET /auth/personal-access-tokens lists them (no secret values). */
  patList(): PersonalAccessTokenInfo[] {
    return [...this.pats].filter(([pat]) => !this.revoked.has(pat)).map(([, info]) => ({ ...info }));
  }

  /** Every secret handed out or accepted, revoked ones included. */
  secrets(): string[] {
    return [...this.pats.keys(), ...this.clients.map((c) => c.secret), ...this.issued.keys()];
  }
}
