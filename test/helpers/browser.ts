/**
 * A real browser for the tests: Debian's Chromium (`/usr/bin/chromium`, installed by .ci/run when
 * missing) driven by playwright-core, which downloads no browser of its own.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Where screenshots go: kept after the run as test artifacts (not committed). */
export const ARTIFACTS = join(process.cwd(), 'test-results');

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export function artifactPath(...parts: string[]): string {
  const path = join(ARTIFACTS, ...parts);
  mkdirSync(join(path, '..'), { recursive: true });
  return path;
}
