import type { LoggedRecord, RunSummary } from '../../runlog/runlog.js';
import { groupReasons, outcomes } from '../../sync/outcomes.js';
import { html, page, when, type Html } from '../html.js';

/** `/runs/:id`: one run with its counts, status, message and hint, target, and its grouped reasons. */
export function runPage(run: RunSummary & { records: LoggedRecord[] }): Html {
  const saas = run.saas_users;
  // a run a queue worker ran: its records stay in the worker's store, the service keeps their grouped reasons
  const groups = (type: LoggedRecord['record_type']) => (run.remote
    ? (type === 'people' ? run.remote.reasons : run.remote.saas_reasons ?? [])
    : groupReasons(run.records.filter((r) => r.record_type === type), 5));
  return page(`Run #${run.id}`, null, html`<p><a href="/">← Integrations</a></p>
<h1>Run #${run.id}: ${run.integration}</h1>
<dl>
<dt>Status</dt><dd><span class="state status-${run.status}" id="status">${run.status.replace(/_/g, ' ')}</span></dd>
<dt>Mapping</dt><dd>${run.mapping_file} (${preferences[run.preference] ?? run.preference})</dd>
<dt>Connector</dt><dd>${run.connector}</dd>
<dt>Target</dt><dd>${run.target.where}</dd>
<dt>Started</dt><dd>${when(run.started_at)}</dd>
<dt>Ended</dt><dd>${run.ended_at ? when(run.ended_at) : 'not finished'}</dd>
${run.remote ? html`<dt>Worker</dt><dd>${run.remote.worker ? `${run.remote.worker.name} (process ${run.remote.worker.pid} on ${run.remote.worker.host})` : 'unknown'}, job ${run.remote.job}</dd>` : ''}
${run.owner ? html`<dt>Running</dt><dd>in process ${run.owner.pid} on ${run.owner.host}; last sign of life ${when(run.owner.heartbeat_at) || 'none'}</dd>` : ''}
<dt>Read</dt><dd>${run.read} record(s) from ${run.pages} page(s), ${run.entries} entries, ${run.requests} request(s)</dd>
${run.retries.count || run.retries.wait_ms ? html`<dt>Retries</dt><dd>${run.retries.count} request(s) sent again, ${(run.retries.wait_ms / 1000).toFixed(1)} s of waits</dd>` : ''}
${run.resumed_from ? html`<dt>Continued</dt><dd>from <a href="/runs/${run.resumed_from}">run #${run.resumed_from}</a>'s checkpoint</dd>` : ''}
${run.message ? html`<dt>Message</dt><dd id="message">${run.message}</dd>` : ''}
${run.hint ? html`<dt>Hint</dt><dd id="hint">${run.hint}</dd>` : ''}
${run.warnings.map((w) => html`<dt>Warning</dt><dd>${w}</dd>`)}
</dl>
<h2>Records by outcome</h2>
<table id="counts">
<thead><tr><th scope="col">Outcome</th><th scope="col" class="n">People</th>${saas ? html`<th scope="col" class="n">${saas.app} SaaS users</th>` : ''}</tr></thead>
<tbody>
${outcomes.map((o) => html`<tr data-outcome="${o}"><th scope="row">${o}</th><td class="n">${run.counts[o]}</td>${saas ? html`<td class="n">${saas.counts[o]}</td>` : ''}</tr>`)}
</tbody>
</table>
${reasons('Why People records were skipped or failed', groups('people'))}
${saas ? reasons(`Why ${saas.app} SaaS user records were skipped or failed`, groups('saas_users')) : ''}
`);
}

const preferences: Record<string, string> = { create_only: 'create only', update_only: 'update only', create_update: 'create and update' };

function reasons(title: string, groups: ReturnType<typeof groupReasons>): Html {
  if (!groups.length) return html``;
  return html`<h2>${title}</h2>
<table class="reasons">
<thead><tr><th scope="col">Outcome</th><th scope="col" class="n">Records</th><th scope="col">Reason</th><th scope="col">For example</th></tr></thead>
<tbody>
${groups.map((g) => html`<tr><td>${g.outcome}</td><td class="n">${g.count}</td><td>${g.reason}</td><td>${g.keys.join(', ')}</td></tr>`)}
</tbody>
</table>`;
}

/** A run that does not exist. */
export function runNotFound(id: string): Html {
  return page('Run not found', null, html`<p><a href="/">← Integrations</a></p><h1>Run not found</h1><p class="error">There is no run #${id} in this store. The integrations page links each integration's last run.</p>`);
}
