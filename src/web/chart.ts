import type { AppInsight } from '../report/inactive.js';
import { html, type Html } from './html.js';

/** The buckets the chart shows, in order, with their labels and colours. */
export const chartBuckets = [
  { key: 'days_30', label: '30–59 days', colour: '#f2c14e' },
  { key: 'days_60', label: '60–89 days', colour: '#f08a4b' },
  { key: 'days_90', label: '90+ days', colour: '#d1495b' },
  { key: 'never', label: 'never logged in', colour: '#8d99ae' },
] as const;

/**
 * A grouped bar chart as inline SVG, drawn here (no script, no library): per app, one bar per
 * bucket with its count above it and a `<title>` a screen reader and a tooltip show.
 */
export function inactiveChart(apps: AppInsight[]): Html {
  const bar = 28;
  const gap = 6;
  const groupGap = 36;
  const plot = 180;
  const top = 24;
  const left = 12;
  const group = chartBuckets.length * (bar + gap) - gap;
  const width = Math.max(320, left * 2 + apps.length * (group + groupGap));
  const height = top + plot + 46;
  const max = Math.max(1, ...apps.flatMap((a) => chartBuckets.map((b) => a[b.key])));
  const groups = apps.map((app, i) => {
    const x0 = left + i * (group + groupGap);
    const bars = chartBuckets.map((b, j) => {
      const value = app[b.key];
      const h = Math.round((value / max) * plot);
      const x = x0 + j * (bar + gap);
      const y = top + plot - h;
      return html`<g class="bar" data-app="${app.app}" data-bucket="${b.key}"><title>${app.app}: ${value} user(s) ${b.key === 'never' ? 'never logged in' : `last logged in ${b.label} ago`}</title>
<rect x="${x}" y="${y}" width="${bar}" height="${Math.max(h, 1)}" fill="${b.colour}"></rect>
<text x="${x + bar / 2}" y="${y - 5}" text-anchor="middle" font-size="12">${value}</text></g>`;
    });
    return html`<g>${bars}<text x="${x0 + group / 2}" y="${top + plot + 18}" text-anchor="middle" font-size="13" font-weight="600">${app.app}</text></g>`;
  });
  const legend = chartBuckets.map((b, i) => html`<g><rect x="${left + i * 130}" y="${top + plot + 30}" width="12" height="12" fill="${b.colour}"></rect><text x="${left + i * 130 + 16}" y="${top + plot + 40}" font-size="12">${b.label}</text></g>`);
  return html`<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="chart-title" width="${Math.max(width, left + chartBuckets.length * 130)}" height="${height}" viewBox="0 0 ${Math.max(width, left + chartBuckets.length * 130)} ${height}">
<title id="chart-title">Users per SaaS app by days since their last login</title>
<line x1="${left}" y1="${top + plot}" x2="${width - left}" y2="${top + plot}" stroke="#9aa3ae"></line>
${groups}
${legend}
</svg>`;
}
