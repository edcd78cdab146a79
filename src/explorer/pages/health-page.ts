/** `/health`: how syncing stands per environment, and the last runs. */
import type { QueryRow } from '../../store/audit-reader.js';
import type { StoreStatus } from '../../store/audit-store.js';
import { html, type Html } from '../html.js';
import { layout, timeCell } from './layout.js';

export interface HealthPageData {
  base: string;
  status: StoreStatus;
  runs: QueryRow[];
  /** Environments whose last success is older than this (ISO) are shown as stale. */
  staleBefore: string;
}

export function healthPage(data: HealthPageData): Html {
  const { base: b, status } = data;
  const body = html`
<h1>Sync health</h1>
<p>${status.totals.events} events, ${status.totals.users} users, ${status.totals.guests} guests, ${status.totals.spaces} spaces, ${status.totals.agents} agents${status.totals.rejected > 0 ? html`, <span class="error">${status.totals.rejected} rejected events</span>` : ''}.</p>
${status.futureDated.length > 0 ? html`<p class="error">Events dated in the future (an upstream clock gone wrong): ${status.futureDated.map((f) => html`${f.environmentId} ${f.count} `)}</p>` : ''}
<div class="table-wrap"><table>
<caption>Per environment</caption>
<thead><tr><th scope="col">Environment</th><th scope="col">State</th><th scope="col">Last success</th><th scope="col">Synced up to</th><th scope="col">Events</th><th scope="col">Last error</th></tr></thead>
<tbody>
${status.environments.map((e) => {
    const state = e.lastError ? 'failing' : !e.lastSuccessAt ? 'never synced' : e.lastSuccessAt < data.staleBefore ? 'stale' : 'ok';
    return html`<tr data-environment-id="${e.environmentId}"><th scope="row">${e.name ?? e.environmentId}</th><td class="state-${state.replace(' ', '-')}">${state}${e.listingInProgress ? ' (listing in progress)' : ''}</td><td>${timeCell(e.lastSuccessAt)}</td><td>${timeCell(e.highWater)}</td><td>${e.events}</td><td>${e.lastError ? html`<span class="error">${e.lastError}</span>` : html`<span class="muted">—</span>`}</td></tr>`;
  })}
</tbody></table></div>
<h2>Last runs</h2>
${data.runs.length === 0 ? html`<p class="muted">No runs yet.</p>` : html`<div class="table-wrap"><table>
<caption>Newest first</caption>
<thead><tr><th scope="col">Run</th><th scope="col">Scope</th><th scope="col">Trigger</th><th scope="col">Started</th><th scope="col">Finished</th><th scope="col">Status</th><th scope="col">New events</th><th scope="col">Error</th></tr></thead>
<tbody>${data.runs.map((r) => html`<tr><td>${String(r.id)}</td><td>${String(r.scope)}</td><td>${String(r.trigger)}</td><td>${timeCell(r.started_at as string)}</td><td>${timeCell(r.finished_at as string | null)}</td><td class="state-${String(r.status)}">${String(r.status)}</td><td>${String(r.new_events)}</td><td>${r.error ? String(r.error) : ''}</td></tr>`)}</tbody></table></div>`}`;
  return layout({ title: 'Sync health', section: '/health', body, base: b });
}
