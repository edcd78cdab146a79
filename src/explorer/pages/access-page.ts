/**
 * `/access`: guests × spaces, each stretch of time a guest could reach a space, with when and by
 * whom access was granted and revoked; filtered by the URL (access-filter.ts). Plain HTML: a GET
 * form and a table, no script.
 */
import { html, type Html } from '../html.js';
import type { AccessFilter } from '../access-filter.js';
import type { AccessRow, AccessRows } from '../access-reads.js';
import { layout, timeCell } from './layout.js';

export interface AccessPageData {
  base: string;
  filter: AccessFilter;
  access: AccessRows;
  /** Names of those who granted or revoked, by actor id. */
  changers: Map<string, string>;
  environments: { id: string; name: string | null }[];
}

function field(name: string, label: string, value: string | undefined, hint: string): Html {
  return html`<div class="field"><label for="a-${name}">${label}</label><input id="a-${name}" name="${name}" type="text" value="${value ?? ''}" placeholder="${hint}" autocomplete="off"></div>`;
}

function actorLink(b: string, id: string | null, names: Map<string, string>, none: string): Html {
  if (id === null) return html`<span class="muted">${none}</span>`;
  return html`<a href="${b}/actors/${encodeURIComponent(id)}">${names.get(id) ?? id}</a>`;
}

/** The access rows as a table, guest and space linked (the actor page shows a guest's with it). */
export function accessTable(b: string, rows: readonly AccessRow[], changers: Map<string, string>, caption: string): Html {
  return html`<div class="table-wrap"><table class="access">
<caption>${caption}</caption>
<thead><tr><th scope="col">Environment</th><th scope="col">Space</th><th scope="col">Guest</th><th scope="col">Granted (UTC)</th><th scope="col">Granted by</th><th scope="col">Revoked (UTC)</th><th scope="col">Revoked by</th></tr></thead>
<tbody>
${rows.map((r) => html`<tr data-guest-id="${r.guest_id}" data-space-id="${r.space_id}" data-granted-at="${r.granted_at ?? ''}" data-revoked-at="${r.revoked_at ?? ''}">
<td>${r.environment_name ?? r.environment_id}</td>
<td><a href="${b}/?space=${encodeURIComponent(r.space_id)}" title="the trail of this space">${r.space_name ?? r.space_id}</a>${r.space_removed_at ? html` <span class="flag">space removed</span>` : ''}</td>
<td><a href="${b}/actors/${encodeURIComponent(r.guest_id)}">${r.guest_name ?? r.guest_email ?? r.guest_id}</a>${r.guest_email && r.guest_name ? html` <span class="muted">${r.guest_email}</span>` : ''}${r.guest_removed_at ? html` <span class="flag">guest removed</span>` : ''}</td>
<td>${r.granted_at ? timeCell(r.granted_at) : html`<span class="muted">before the first sync</span>`}</td>
<td>${actorLink(b, r.granted_by, changers, '—')}</td>
<td>${r.revoked_at ? timeCell(r.revoked_at) : html`<span class="state-ok">still has access</span>`}</td>
<td>${actorLink(b, r.revoked_by, changers, '—')}</td>
</tr>`)}
</tbody></table></div>`;
}

export function accessPage(data: AccessPageData): Html {
  const { base: b, filter, access } = data;
  const guests = new Set(access.rows.map((r) => r.guest_id)).size;
  const spaces = new Set(access.rows.map((r) => r.space_id)).size;
  const body = html`
<h1>Guest access</h1>
<form class="filters" method="get" action="${b}/access" role="search" aria-label="Filter guest access">
<div class="field"><label for="a-environment">Environment</label><select id="a-environment" name="environment">
<option value="">all</option>
${data.environments.map((e) => html`<option value="${e.id}"${e.id === filter.environment ? html` selected` : ''}>${e.name ?? e.id}</option>`)}
</select></div>
${field('space', 'Space', filter.space, 'us_sp_…')}
${field('guest', 'Guest', filter.guest, 'id, email or name')}
${field('at', 'Could access at', filter.at, '2026-11-15T12:00:00Z')}
<div class="field check"><input id="a-current" name="current" type="checkbox" value="1"${filter.current ? html` checked` : ''}><label for="a-current">Only access not revoked</label></div>
<div class="actions"><button type="submit">Apply</button> <a href="${b}/access">Clear</a></div>
</form>
<p class="summary">${filter.at ? html`At ${timeCell(filter.at)}: ` : ''}${access.rows.length}${access.truncated ? '+' : ''} stretches of access, ${guests} guests, ${spaces} spaces.
A grant without a time was there before anything was recorded; one without a revocation still holds.</p>
${access.truncated ? html`<p class="error">Only the first ${access.rows.length} rows are shown: narrow the filter.</p>` : ''}
${access.rows.length === 0 ? html`<p class="empty">No guest access matches.</p>` : accessTable(b, access.rows, data.changers, 'By environment, space and guest; oldest grant first')}
<p class="downloads">The same answer from the CLI: <code>flatfile-audit query --saved space-access --param space=… --param at=…</code></p>`;
  return layout({ title: 'Guest access', section: '/access', body, base: b });
}
