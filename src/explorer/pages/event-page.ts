/** `/events/<id>`: every field of one event, its actor then and now, its raw JSON, and whether its chain link verifies. */
import type { EventLinkCheck } from '../../store/chain/verify-event-link.js';
import type { QueryRow } from '../../store/audit-reader.js';
import { html, type Html } from '../html.js';
import { layout } from './layout.js';

export interface EventPageData {
  base: string;
  row: QueryRow;
  raw: string;
  link: EventLinkCheck;
}

function cell(value: unknown): Html | string {
  if (value === null || value === undefined || value === '') return html`<span class="muted">—</span>`;
  return String(value);
}

function prettyJson(raw: string): string {
  try {
    return JSON.stringify(JSON.parse(raw), null, 2);
  } catch {
    return raw;
  }
}

export function eventPage(data: EventPageData): Html {
  const { base: b, row } = data;
  const actorId = row.actor_id as string | null;
  // Until actors keep a history, the one name known is today's; a store with history names both.
  const nowName = 'actor_current_name' in row ? row.actor_current_name : row.actor_name;
  const nowEmail = 'actor_current_email' in row ? row.actor_current_email : row.actor_email;
  const body = html`
<h1>Event <code>${String(row.event_id)}</code></h1>
<p class="chain ${data.link.ok ? 'ok' : 'bad'}" data-chain="${data.link.ok ? 'verified' : 'failed'}">${data.link.ok
    ? html`Chain link verified (sequence ${data.link.seq} of its environment's chain).`
    : html`Chain link does not verify: ${data.link.reason}.`}</p>
<section aria-labelledby="actor-title"><h2 id="actor-title">Actor</h2>
<dl class="fields">
<dt>At the time</dt><dd>${actorId ? html`<a href="${b}/actors/${encodeURIComponent(actorId)}">${cell(row.actor_name ?? actorId)}</a>` : cell(null)} ${row.actor_email ? html`&lt;${String(row.actor_email)}&gt;` : ''}</dd>
<dt>Today</dt><dd>${cell(nowName)} ${nowEmail ? html`&lt;${String(nowEmail)}&gt;` : ''}${row.actor_removed_at ? html` <span class="flag">removed ${String(row.actor_removed_at)}</span>` : ''}</dd>
</dl></section>
<section aria-labelledby="fields-title"><h2 id="fields-title">Fields</h2>
<dl class="fields">
${Object.entries(row).map(([k, v]) => html`<dt>${k}</dt><dd>${cell(v)}</dd>`)}
</dl></section>
<section aria-labelledby="raw-title"><h2 id="raw-title">Raw event as received</h2>
<pre class="raw" tabindex="0">${prettyJson(data.raw)}</pre></section>
<p><a href="${b}/?environment=${encodeURIComponent(String(row.environment_id))}">Trail of this environment</a></p>`;
  return layout({ title: `Event ${String(row.event_id)}`, section: '/', body, base: b });
}
