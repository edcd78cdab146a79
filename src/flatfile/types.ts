/**
 * Wire shapes the client needs as types. Resources are validated where they are read (one file per
 * resource, see parse.ts), so only the legacy exchange's answer needs a type here. The simulator
 * keeps its own wire types (src/simulator/wire-types.ts) and shares none with the client.
 */

/** Answer of `POST /auth` (not wrapped in `data`). */
export interface AccessToken {
  accessToken: string;
  expiresIn: string;
  expires: string;
  email?: string;
  userId?: string;
  accountId?: string;
}
