/**
 * `/`: the trail, newest first, PAGE_ROWS rows a page, filtered by the URL (trail-filter.ts). Plain
 * HTML that works without JavaScript: a GET form, a table, an `<a rel="next">` to older rows and
 * download links; the timeline chart above it is drawn by a script when one runs.
 */
import { html, type Html } from '../html.js';
import type { TrailPageRows, TrailRow } from '../explorer-reads.js';
import { ACTOR_TYPES, filterParams, type TrailFilter } from '../trail-filter.js';
import { layout, timeCell } from './layout.js';

export interface TrailPageData {
  base: string;
  filter: TrailFilter;
  page: TrailPageRows;
  /** Whether this is a later page (a `before` was given). */
  paged: boolean;
  environments: { id: string; name: string | null }[];
}

function field(name: string, label: string, value: string | undefined, hint: string): Html {
  return html`<div class="field"><label for="f-${name}">${label}</label><input id="f-${name}" name="${name}" type="text" value="${value ?? ''}" placeholder="${hint}" autocomplete="off"></div>`;
}

function actorCell(base: string, row: TrailRow): Html {
  if (!row.actor_id) return html`<span class="muted">unknown</span>`;
  const label = row.actor_name ?? row.actor_email ?? row.actor_id;
  return html`<a href="${base}/actors/${encodeURIComponent(row.actor_id)}">${label}</a>`;
}

function query(params: URLSearchParams): string {
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

export function trailPage(data: TrailPageData): Html {
  const { base: b, filter, page } = data;
  const params = filterParams(filter);
  const nextParams = new URLSearchParams(params);
  if (page.next) nextParams.set('before', page.next);
  const body = html`
<h1>Audit trail</h1>
<form class="filters" method="get" action="${b}/" role="search" aria-label="Filter the trail">
${field('from', 'From', filter.from, '2026-11-01')}
${field('to', 'To', filter.to, '2026-11-30')}
<div class="field"><label for="f-environment">Environment</label><select id="f-environment" name="environment">
<option value="">all</option>
${data.environments.map((e) => html`<option value="${e.id}"${e.id === filter.environment ? html` selected` : ''}>${e.name ?? e.id}</option>`)}
</select></div>
${field('actor', 'Actor', filter.actor, 'id, email or name')}
<div class="field"><label for="f-actor_type">Actor type</label><select id="f-actor_type" name="actor_type">
<option value="">all</option>
${ACTOR_TYPES.map((t) => html`<option value="${t}"${t === filter.actorType ? html` selected` : ''}>${t}</option>`)}
</select></div>
${field('topic', 'Topic', filter.topic, 'job:created')}
${field('domain', 'Domain', filter.domain, 'job')}
${field('space', 'Space', filter.space, 'us_sp_…')}
${field('q', 'Search', filter.q, 'names and ids')}
<div class="actions"><button type="submit">Apply</button> <a href="${b}/">Clear</a></div>
</form>
<section class="timeline" aria-labelledby="timeline-title">
<h2 id="timeline-title">Events over time</h2>
<p class="timeline-total" aria-live="polite"></p>
<div class="chart-box"><canvas id="timeline" role="img" aria-label="Events of this filter per time bucket, stacked by actor type" data-src="${b}/timeline.json${query(params)}" data-page="${b}/" data-filter="${params.toString()}"></canvas></div>
</section>
<p class="downloads">Download these rows: <a href="${b}/download.csv${query(params)}" download>CSV</a> · <a href="${b}/download.ndjson${query(params)}" download>NDJSON</a></p>
${page.rows.length === 0
  ? html`<p class="empty">No events match.</p>`
  : html`<div class="table-wrap"><table class="trail">
<caption>Events, newest first</caption>
<thead><tr><th scope="col">Time (UTC)</th><th scope="col">Environment</th><th scope="col">Actor</th><th scope="col">Type</th><th scope="col">Topic</th><th scope="col">Space</th></tr></thead>
<tbody>
${page.rows.map((r) => html`<tr data-event-id="${r.event_id}"><td><a href="${b}/events/${encodeURIComponent(r.event_id)}">${timeCell(r.created_at)}</a></td><td>${r.environment_name ?? r.environment_id}</td><td>${actorCell(b, r)}</td><td>${r.actor_type}</td><td>${r.topic}</td><td>${r.space_id ?? ''}</td></tr>`)}
</tbody></table></div>`}
<nav class="pager" aria-label="Pages">
${data.paged ? html`<a href="${b}/${query(params)}">Newest</a>` : ''}
${page.next ? html`<a rel="next" href="${b}/${query(nextParams)}">Older events</a>` : ''}
</nav>`;
  return layout({ title: 'Audit trail', section: '/', body, base: b, charts: true });
}
