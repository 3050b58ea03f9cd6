import type { InactiveReport } from '../../report/inactive.js';
import { chartBuckets, inactiveChart } from '../chart.js';
import { html, page, type Html } from '../html.js';

/** The inactive users a page lists at most; the CSV holds them all. */
export const pageRows = 1000;

/** `/insights`: per app, users by days since their last login (chart and table), and the inactive users with a CSV link. */
export function insightsPage(report: InactiveReport, apps: string[]): Html {
  const query = new URLSearchParams({ days: String(report.days), ...(report.app ? { app: report.app } : {}) });
  const inactive = report.users.filter((u) => u.days !== null).length;
  const never = report.users.length - inactive;
  return page('Last-login insights', 'insights', html`<h1>Last-login insights</h1>
<p class="muted">As of ${report.now.slice(0, 10)}. A last login comes from a People field named <code>&lt;app&gt;_last_login</code> or a SaaS user record's last login; users with none are counted as “never”.</p>
<form method="get" action="/insights" aria-label="Filter">
<div class="field"><label for="days">Inactive for at least (days)</label><input id="days" type="number" name="days" min="1" step="1" value="${report.days}"></div>
<div class="field"><label for="app">App</label><select id="app" name="app"><option value="">all apps</option>${apps.map((a) => html`<option value="${a}"${report.app?.toLowerCase() === a.toLowerCase() ? html` selected` : ''}>${a}</option>`)}</select></div>
<button type="submit">Show</button>
</form>
${report.apps.length ? html`<h2>Users by days since their last login</h2>
<figure>${inactiveChart(report.apps)}<figcaption>Per SaaS app: users whose last login is 30–59, 60–89 or 90+ days old, and users who never logged in.</figcaption></figure>
<table id="apps">
<thead><tr><th scope="col">App</th><th scope="col" class="n">Users</th><th scope="col" class="n">Under 30 days</th>${chartBuckets.map((b) => html`<th scope="col" class="n">${b.label[0].toUpperCase() + b.label.slice(1)}</th>`)}</tr></thead>
<tbody>
${report.apps.map((a) => html`<tr data-app="${a.app}"><th scope="row">${a.app}</th><td class="n" data-bucket="users">${a.users}</td><td class="n" data-bucket="active">${a.active}</td>${chartBuckets.map((b) => html`<td class="n" data-bucket="${b.key}">${a[b.key]}</td>`)}</tr>`)}
</tbody>
</table>
<h2 id="inactive-heading">Inactive users: ${inactive} for ${report.days}+ days, ${never} never logged in</h2>
<p><a href="/insights.csv?${query.toString()}" download>Download these users as CSV</a></p>
${report.users.length ? html`<table id="users">
<thead><tr><th scope="col">Name</th><th scope="col">E-mail</th><th scope="col">App</th><th scope="col">Last login</th><th scope="col" class="n">Days</th></tr></thead>
<tbody>
${report.users.slice(0, pageRows).map((u) => html`<tr><td>${u.name}</td><td>${u.email}</td><td>${u.app}</td><td>${u.last_login ? u.last_login.replace('T', ' ').replace(/(\.\d+)?Z$/, ' UTC') : 'never'}</td><td class="n">${u.days ?? ''}</td></tr>`)}
</tbody>
</table>
${report.users.length > pageRows ? html`<p id="more">… and ${report.users.length - pageRows} more: <a href="/insights.csv?${query.toString()}">the CSV</a> holds all ${report.users.length}.</p>` : ''}` : html`<p>No user has been inactive that long.</p>`}` : html`<p>${report.app ? html`No last logins of an app named “${report.app}” in the store.` : 'No last logins in the store yet: run an integration that writes a People datetime field named <app>_last_login, or SaaS user records with a last login.'}</p>`}
`);
}

/** A filter that does not parse: the page says which and how to fix it. */
export function badFilter(message: string): Html {
  return page('Last-login insights', 'insights', html`<h1>Last-login insights</h1><p class="error">${message}</p><p><a href="/insights">Show the default report (90 days, all apps)</a></p>`);
}
