/**
 * `/tokens`: every Personal Access Token the inventory holds, with its hygiene flags
 * (token-hygiene.ts) and the cutoffs they were computed from. Names and times only: no token value
 * is stored anywhere, so none can reach this page.
 */
import type { TokenFlag } from '../../token-hygiene.js';
import { html, type Html } from '../html.js';
import type { TokenInventory } from '../token-reads.js';
import { layout, timeCell } from './layout.js';

const FLAG_TEXT: Record<TokenFlag, string> = {
  unused: 'unused for long',
  'never-used': 'never used',
  'too-old': 'due for rotation',
};

export function tokensPage(base: string, inventory: TokenInventory): Html {
  const b = base;
  const { tokens, cutoffs } = inventory;
  const present = tokens.filter((t) => t.removedAt === null);
  const flagged = present.filter((t) => t.flags.length > 0).length;
  const body = html`
<h1>Personal access tokens</h1>
<p class="summary">${present.length} present, ${flagged} to review, ${tokens.length - present.length} removed.</p>
<dl class="fields cutoffs">
<dt>unused for long</dt><dd>last used before ${timeCell(cutoffs.unused_before)} (AUDIT_PAT_STALE_AFTER)</dd>
<dt>never used</dt><dd>never used, made before ${timeCell(cutoffs.never_used_before)} (a week's grace)</dd>
<dt>due for rotation</dt><dd>made before ${timeCell(cutoffs.created_before)} (AUDIT_PAT_MAX_AGE)</dd>
</dl>
${tokens.length === 0 ? html`<p class="empty">No tokens in the inventory yet (the directory sync lists them).</p>` : html`<div class="table-wrap"><table class="tokens">
<caption>Flagged first, then the others, then removed ones; oldest first within each</caption>
<thead><tr><th scope="col">Name</th><th scope="col">Id</th><th scope="col">Flags</th><th scope="col">Created (UTC)</th><th scope="col">Last used</th><th scope="col">First seen</th><th scope="col">Removed</th></tr></thead>
<tbody>
${tokens.map((t) => html`<tr data-token-id="${t.id}" data-flags="${t.flags.join(' ')}">
<th scope="row">${t.name ?? html`<span class="muted">unnamed</span>`}</th>
<td><code>${t.id}</code></td>
<td>${t.flags.length === 0 ? (t.removedAt ? html`<span class="muted">removed</span>` : html`<span class="state-ok">ok</span>`) : t.flags.map((f) => html`<span class="flag" data-flag="${f}">${FLAG_TEXT[f]}</span> `)}</td>
<td>${timeCell(t.createdAt)}</td>
<td>${t.lastUsedAt ? timeCell(t.lastUsedAt) : html`<span class="muted">never</span>`}</td>
<td>${timeCell(t.firstSeenAt)}</td>
<td>${t.removedAt ? timeCell(t.removedAt) : html`<span class="muted">—</span>`}</td>
</tr>`)}
</tbody></table></div>`}`;
  return layout({ title: 'Personal access tokens', section: '/tokens', body, base: b });
}
