/** `flatfile-audit --version`: the version in the package's own package.json. */
import { readFileSync } from 'node:fs';

/**
 * Found by walking up from this file, because it runs from src/cli (tests) and from dist/src/cli
 * (the installed command): the first package.json named flatfile-audit.
 */
export function packageVersion(): string {
  for (let dir = new URL('.', import.meta.url); ; ) {
    try {
      const pkg = JSON.parse(readFileSync(new URL('package.json', dir), 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === 'flatfile-audit' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // not here (or not readable): keep climbing
    }
    const parent = new URL('..', dir);
    if (parent.href === dir.href) throw new Error('package.json of flatfile-audit not found above the installed command');
    dir = parent;
  }
}
