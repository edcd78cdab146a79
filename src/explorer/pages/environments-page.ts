/** `/environments`: every environment with its inventories, events per day, and how its sync stands. */
import { html, type Html } from '../html.js';
import { SPARK_DAYS, type EnvironmentSummary } from '../explorer-reads.js';
import { layout, timeCell } from './layout.js';

export function environmentsPage(base: string, environments: EnvironmentSummary[]): Html {
  const b = base;
  const body = html`
<h1>Environments</h1>
${environments.length === 0 ? html`<p class="empty">No environments synced yet.</p>` : html`<div class="table-wrap"><table class="environments">
<caption>Every environment the token can see</caption>
<thead><tr><th scope="col">Environment</th><th scope="col">Production</th><th scope="col">Spaces</th><th scope="col">Agents</th><th scope="col">Guests</th><th scope="col">Events</th><th scope="col">Per day, last ${SPARK_DAYS} days</th><th scope="col">Last successful sync</th><th scope="col">Synced up to</th><th scope="col">Last error</th></tr></thead>
<tbody>
${environments.map((e) => html`<tr data-environment-id="${e.id}">
<th scope="row"><a href="${b}/?environment=${encodeURIComponent(e.id)}">${e.name ?? e.id}</a>${e.removedAt ? html` <span class="flag">removed</span>` : ''}</th>
<td>${e.isProd ? 'yes' : 'no'}</td><td>${e.spaces}</td><td>${e.agents}</td><td>${e.guests}</td><td>${e.events}</td>
<td><canvas class="spark" width="120" height="28" role="img" aria-label="${`events per day: ${e.perDay.join(', ')}`}" data-series="${e.perDay.join(',')}"></canvas></td>
<td>${timeCell(e.lastSuccessAt)}</td><td>${timeCell(e.highWater)}</td>
<td>${e.lastError ? html`<span class="error">${e.lastError}</span> ${timeCell(e.lastErrorAt)}` : html`<span class="muted">—</span>`}</td>
</tr>`)}
</tbody></table></div>`}`;
  return layout({ title: 'Environments', section: '/environments', body, base: b, charts: true });
}
