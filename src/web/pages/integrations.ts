import type { IntegrationStatus } from '../../integrations/catalog.js';
import { outcomes } from '../../sync/outcomes.js';
import { html, page, when, type Html } from '../html.js';
import type { ScheduledIntegration } from '../index.js';

/** `/`: every integration with its state, installation type, schedule, next run and last run. */
export function integrationsPage(list: IntegrationStatus[], scheduled: ScheduledIntegration[]): Html {
  const byName = new Map(scheduled.map((s) => [s.name, s]));
  const rows = list.map((i) => {
    const plan = byName.get(i.name);
    return html`<tr data-integration="${i.name}">
<th scope="row">${i.name}<div class="muted">${i.title}</div></th>
<td><span class="state state-${i.state}">${i.state}</span>${plan?.running ? html` <span class="state status-running">running</span>` : ''}</td>
<td>${i.installation}</td>
<td>${plan?.schedule ?? i.schedule}</td>
<td>${plan?.next_run ? when(plan.next_run) : html`<span class="muted">${i.state === 'launched' ? 'not scheduled by this service' : 'not scheduled'}</span>`}</td>
<td>${lastRun(i)}</td>
</tr>`;
  });
  const missing = list.filter((i) => i.missing.length);
  return page('Integrations', 'integrations', html`<h1>Integrations</h1>
${list.length ? html`<table>
<caption class="muted">${list.length} integration(s): one per mapping file</caption>
<thead><tr><th scope="col">Integration</th><th scope="col">State</th><th scope="col">Installation</th><th scope="col">Schedule</th><th scope="col">Next run</th><th scope="col">Last run</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>` : html`<p>No mapping files found.</p>`}
${missing.length ? html`<h2>What drafts lack</h2>
${missing.map((i) => html`<h3>${i.name} (${i.state})</h3><ul>${i.missing.map((m) => html`<li>${m}</li>`)}</ul>`)}` : ''}
`);
}

function lastRun(i: IntegrationStatus): Html {
  const run = i.last_run;
  if (!run) return html`<span class="muted">never</span>`;
  const shown = outcomes.filter((o) => run.counts[o] > 0).map((o) => `${run.counts[o]} ${o}`);
  const saas = run.saas_users ? outcomes.filter((o) => run.saas_users!.counts[o] > 0).map((o) => `${run.saas_users!.counts[o]} ${o}`) : [];
  return html`<a href="/runs/${run.id}">run #${run.id}</a> · ${when(run.started_at)} · <span class="state status-${run.status}">${run.status.replace(/_/g, ' ')}</span>
<div class="counts">${shown.length ? shown.join(', ') : 'no records'}${run.saas_users ? html`<br>${run.saas_users.app} SaaS users: ${saas.length ? saas.join(', ') : 'none'}` : ''}</div>`;
}
