/** `flatfile-audit token rotate [--name NAME] [--revoke-id ID]`: see src/tokens/rotate-token.ts. */
import { loadConfig } from '../config.js';
import { createLogger } from '../log.js';
import { rotateToken } from '../tokens/rotate-token.js';
import { EXIT, type CliContext } from './context.js';
import { escapeControl } from '../output/safe-text.js';

export async function runTokenRotate(ctx: CliContext, options: { name?: string | undefined; revokeId?: string | undefined }): Promise<number> {
  const config = loadConfig(ctx.env);
  const log = createLogger({ level: config.logLevel });
  const outcome = await rotateToken(config, log, { ...options, signal: ctx.signal });
  const lines = [`created token ${outcome.created.id} (${outcome.created.name}); ${outcome.path} now holds it, and Flatfile accepts it`];
  for (const id of outcome.deleted) lines.push(`deleted the replaced token ${id}`);
  if (outcome.remaining !== null) {
    lines.push(
      'the token the file held before is not known to token rotate (it did not write it), so it is still valid: delete it in the Flatfile dashboard, or run token rotate --revoke-id ID next time.',
      `your other tokens (the replaced one is likely the most recently used):`,
      ...outcome.remaining.map((t) => `  ${t.id}  ${t.name ?? '(no name)'}  created ${t.createdAt ?? '?'}  last used ${t.lastUsedAt ?? 'never'}`),
    );
  }
  // Each line escaped on its own: escaping the joined text would print its newlines as \n.
  ctx.stdout.write(`${lines.map(escapeControl).join('\n')}\n`);
  return EXIT.ok;
}
