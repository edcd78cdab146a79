/** Who runs this command, for operator_actions: the OS user and the host, as the process sees them. */
import { hostname, userInfo } from 'node:os';
import type { Operator } from '../store/audit-store.js';

export function currentOperator(): Operator {
  let user: string;
  try {
    user = userInfo().username;
  } catch {
    // A container user without a passwd entry has no name; its uid still says who it was.
    user = `uid ${process.getuid?.() ?? 'unknown'}`;
  }
  return { user, host: hostname() };
}
