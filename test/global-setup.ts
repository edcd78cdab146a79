import { execFileSync } from 'node:child_process';

/** Tests spawn the real CLI from dist/, so compile it first: a stale build would test old code. */
export default function setup(): void {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
}
