/** `/actors/<id>`: a user, guest, agent or API key: profile, first and last seen, where it acted, its recent events and activity. */
import { html, type Html } from '../html.js';
import type { ActorProfile, TrailPageRows } from '../explorer-reads.js';
import type { AccessRows } from '../access-reads.js';
import type { ActorVersion } from '../actor-history.js';
import { accessTable } from './access-page.js';
import { layout, timeCell } from './layout.js';

export interface ActorPageData {
  base: string;
  actor: ActorProfile;
  recent: TrailPageRows;
  /** Each version of its inventory row, oldest first. */
  history: ActorVersion[];
  /** A guest's access to spaces, over time (undefined for others). */
  access: AccessRows | undefined;
  /** Names of those who granted or revoked that access, by actor id. */
  changers: Map<string, string>;
}

function historyTable(versions: readonly ActorVersion[]): Html {
  if (versions.length === 0) return html`<p class="muted">No recorded versions (not in the synced inventories).</p>`;
  return html`<div class="table-wrap"><table class="history">
<caption>Each version the syncs recorded, oldest first (the API gives users no role)</caption>
<thead><tr><th scope="col">Name</th><th scope="col">Email</th><th scope="col">Valid from (UTC)</th><th scope="col">Valid until</th><th scope="col">Removed</th></tr></thead>
<tbody>${versions.map((v) => html`<tr data-version="${v.seq}"><td>${v.name ?? html`<span class="muted">—</span>`}</td><td>${v.email ?? html`<span class="muted">—</span>`}</td><td>${timeCell(v.validFrom)}</td><td>${v.validUntil ? timeCell(v.validUntil) : html`<span class="muted">today</span>`}</td><td>${v.removedAt ? html`<span class="flag">${timeCell(v.removedAt)}</span>` : html`<span class="muted">—</span>`}</td></tr>`)}</tbody></table></div>`;
}

const HIDDEN = new Set(['id']);

export function actorPage(data: ActorPageData): Html {
  const { base: b, actor } = data;
  const name = (actor.record?.name as string | undefined) ?? (actor.record?.email as string | undefined) ?? actor.id;
  const trailLink = `${b}/?actor=${encodeURIComponent(actor.id)}`;
  const body = html`
<h1>${name}</h1>
<p class="muted">${actor.kind === 'unknown' ? 'not in the synced inventories (an API key, or removed before the first sync)' : actor.kind} · <code>${actor.id}</code>${actor.record?.removed_at ? html` · <span class="flag">removed ${String(actor.record.removed_at)}</span>` : ''}</p>
<dl class="fields">
${actor.record ? Object.entries(actor.record).filter(([k]) => !HIDDEN.has(k)).map(([k, v]) => html`<dt>${k}</dt><dd>${v === null || v === undefined ? html`<span class="muted">—</span>` : String(v)}</dd>`) : ''}
<dt>Events</dt><dd>${actor.events}</dd>
<dt>First seen acting</dt><dd>${timeCell(actor.firstSeen)}</dd>
<dt>Last seen acting</dt><dd>${timeCell(actor.lastSeen)}</dd>
</dl>
<section aria-labelledby="history-title"><h2 id="history-title">History</h2>
${historyTable(data.history)}
</section>
${data.access === undefined ? '' : html`<section aria-labelledby="access-title"><h2 id="access-title">Space access</h2>
${data.access.rows.length === 0 ? html`<p class="muted">No space access recorded.</p>` : accessTable(b, data.access.rows, data.changers, 'Each stretch of access to a space, oldest grant first')}
<p><a href="${b}/access?guest=${encodeURIComponent(actor.id)}">This guest on the access page</a></p>
</section>`}
<section class="timeline" aria-labelledby="activity-title"><h2 id="activity-title">Activity</h2>
<p class="timeline-total" aria-live="polite"></p>
<div class="chart-box"><canvas id="timeline" role="img" aria-label="This actor's events per time bucket" data-src="${b}/timeline.json?actor=${encodeURIComponent(actor.id)}" data-page="${b}/" data-filter="actor=${encodeURIComponent(actor.id)}"></canvas></div>
</section>
<div class="columns">
<section aria-labelledby="envs-title"><h2 id="envs-title">Environments</h2>
${actor.environments.length === 0 ? html`<p class="muted">none</p>` : html`<ul>${actor.environments.map((e) => html`<li><a href="${b}/?actor=${encodeURIComponent(actor.id)}&amp;environment=${encodeURIComponent(String(e.environment_id))}">${String(e.environment_name ?? e.environment_id)}</a> (${String(e.events)})</li>`)}</ul>`}
</section>
<section aria-labelledby="spaces-title"><h2 id="spaces-title">Spaces</h2>
${actor.spaces.length === 0 ? html`<p class="muted">none</p>` : html`<ul>${actor.spaces.map((s) => html`<li><a href="${b}/?actor=${encodeURIComponent(actor.id)}&amp;space=${encodeURIComponent(String(s.space_id))}">${String(s.space_name ?? s.space_id)}</a> (${String(s.events)})</li>`)}</ul>`}
</section>
</div>
<section aria-labelledby="recent-title"><h2 id="recent-title">Recent events</h2>
${recentTable(b, data.recent)}
<p><a href="${trailLink}">All of this actor's events</a></p>
</section>`;
  return layout({ title: name, section: '/', body, base: b, charts: true });
}

function recentTable(b: string, recent: TrailPageRows): Html {
  if (recent.rows.length === 0) return html`<p class="muted">No events.</p>`;
  return html`<div class="table-wrap"><table class="trail"><caption>Newest first</caption>
<thead><tr><th scope="col">Time (UTC)</th><th scope="col">Environment</th><th scope="col">Topic</th><th scope="col">Space</th></tr></thead>
<tbody>${recent.rows.map((r) => html`<tr data-event-id="${r.event_id}"><td><a href="${b}/events/${encodeURIComponent(r.event_id)}">${timeCell(r.created_at)}</a></td><td>${r.environment_name ?? r.environment_id}</td><td>${r.topic}</td><td>${r.space_id ?? ''}</td></tr>`)}</tbody></table></div>`;
}
