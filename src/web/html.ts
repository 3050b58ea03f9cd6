/**
 * HTML for the service's pages: a tagged template that escapes every value put into it, so a
 * record's name or a run's reason can never become markup. `raw` marks markup built here.
 */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

/** Markup that is already safe (built by `html`); never pass data to it. */
export const raw = (text: string) => new Html(text);

/** `&`, `<`, `>`, `"` and `'` as entities: safe in text and in quoted attributes. */
export function escapeHtml(value: unknown): string {
  const text = value === null || value === undefined ? '' : String(value);
  return text.replace(/[&<>"']/g, (c) => entities[c]);
}

const entities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

type Value = Html | string | number | boolean | null | undefined | Value[];

/** html`<td>${value}</td>`: values escaped, `Html` values and arrays of them kept as markup. */
export function html(strings: TemplateStringsArray, ...values: Value[]): Html {
  let out = strings[0];
  values.forEach((value, i) => {
    out += render(value) + strings[i + 1];
  });
  return new Html(out);
}

function render(value: Value): string {
  if (value instanceof Html) return value.text;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === false || value === null || value === undefined) return '';
  return escapeHtml(value);
}

const css = `
:root { color-scheme: light; --ink: #1d2430; --muted: #5b6472; --line: #d8dde5; --accent: #1f5fbf; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); background: #f6f7f9; }
header { background: #17202e; color: #fff; padding: .6rem 1.5rem; display: flex; gap: 1.5rem; align-items: baseline; }
header a { color: #cfe0ff; text-decoration: none; }
header a[aria-current="page"] { color: #fff; font-weight: 600; text-decoration: underline; }
header .brand { font-weight: 700; color: #fff; }
main { padding: 1rem 1.5rem 2rem; max-width: 72rem; }
h1 { font-size: 1.4rem; margin: .4rem 0 1rem; }
h2 { font-size: 1.1rem; margin: 1.6rem 0 .6rem; }
table { border-collapse: collapse; background: #fff; border: 1px solid var(--line); min-width: 24rem; }
th, td { text-align: left; padding: .35rem .7rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: #eef1f5; font-weight: 600; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
a { color: var(--accent); }
.muted { color: var(--muted); }
.state { display: inline-block; padding: 0 .45rem; border-radius: .6rem; font-size: .85em; background: #e7ebf0; }
.state-launched, .status-succeeded { background: #dcf3e3; }
.state-draft, .state-invalid, .status-failed, .status-interrupted { background: #fde2e0; }
.status-completed_with_failures, .status-running { background: #fff1cc; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; background: #fff; border: 1px solid var(--line); padding: .8rem 1rem; }
dt { font-weight: 600; }
dd { margin: 0; }
form { display: flex; gap: 1rem; align-items: end; margin: .5rem 0 1rem; flex-wrap: wrap; }
form .field { display: flex; flex-direction: column; font-size: .9em; }
input, select, button { font: inherit; padding: .2rem .4rem; }
figure { margin: 0 0 1rem; background: #fff; border: 1px solid var(--line); padding: .6rem; display: inline-block; }
figcaption { color: var(--muted); font-size: .9em; }
.error { background: #fde2e0; padding: .6rem 1rem; border: 1px solid #e6a19b; }
`;

/** A whole page: title, navigation (the current page marked), one small stylesheet; no script, no external asset. */
export function page(title: string, current: 'integrations' | 'insights' | null, body: Html): Html {
  const nav = (href: string, label: string, id: typeof current) => html`<a href="${href}"${id === current ? raw(' aria-current="page"') : ''}>${label}</a>`;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Intake</title>
<link rel="icon" href="data:,">
<style>${raw(css)}</style>
</head>
<body>
<header><span class="brand">Intake</span><nav aria-label="Pages">${nav('/', 'Integrations', 'integrations')} · ${nav('/insights', 'Last-login insights', 'insights')}</nav></header>
<main>
${body}
</main>
</body>
</html>
`;
}

/** `2026-11-30T03:12:45.123Z` → `2026-11-30 03:12 UTC`. */
export function when(iso: string | null | undefined): string {
  if (!iso) return '';
  return `${iso.replace('T', ' ').slice(0, 16)} UTC`;
}
