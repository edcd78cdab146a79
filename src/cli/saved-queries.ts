/** `query --list-saved`: the cookbook as a list an operator reads, or as JSON; and which dialect a store speaks. */
import type { Config } from '../config.js';
import { COOKBOOK } from '../cookbook.js';
import type { SqlDialect } from '../store/audit-reader.js';

export interface SavedQuerySummary {
  name: string;
  description: string;
  params: Array<{ name: string; description: string; required: boolean }>;
}

export function savedQueryList(): SavedQuerySummary[] {
  return COOKBOOK.map((q) => ({
    name: q.name,
    description: q.question,
    params: q.params.map((p) => ({ name: p.name, description: p.description, required: p.default === undefined })),
  }));
}

/** One line per query (name, question), and one per parameter under it. */
export function formatSavedQueries(): string {
  const list = savedQueryList();
  const width = Math.max(...list.map((q) => q.name.length)) + 2;
  const lines = list.flatMap((q) => [
    `${q.name.padEnd(width)}${q.description}`,
    ...q.params.map((p) => `${' '.repeat(width)}  --param ${p.name}=…  ${p.description}${p.required ? '' : ' (optional)'}`),
  ]);
  return `${lines.join('\n')}\n\nrun one with: flatfile-audit query --saved NAME [--param name=value ...]\n`;
}

/** The SQL dialect of the configured store. */
export function storeDialect(config: Pick<Config, 'postgres'>): SqlDialect {
  return config.postgres ? 'postgres' : 'sqlite';
}
