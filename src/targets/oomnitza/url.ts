import { UsageError } from '../../errors.js';

/**
 * The Oomnitza instance's URL as Intake uses it: its origin (`https://acme.oomnitza.com`). The API
 * token is sent only there, so the URL must be https — plain http only for a test instance on
 * this machine (localhost) — and hold no user, password, query or fragment.
 */
export function instanceUrl(text: string | undefined): URL {
  const where = 'give it with --oomnitza-url, OOMNITZA_URL, or oomnitza: { url: … } in the config file (intake config shows the file)';
  if (text === undefined || text.trim() === '') {
    throw new UsageError('oomnitza_url_missing', '--target oomnitza needs the Oomnitza instance\'s URL, and none was given; nothing was run', { hint: `${where}, e.g. https://acme.oomnitza.com` });
  }
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw new UsageError('oomnitza_url_invalid', `the Oomnitza URL "${text}" is not a URL; nothing was run`, { hint: 'write the instance\'s address as in the browser, e.g. https://acme.oomnitza.com' });
  }
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  const problem = url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback) ? 'is not https (the API token would travel in clear text)'
    : url.username || url.password ? 'holds a user or password (the API token is the only credential, kept in the credential store)'
      : url.search || url.hash ? 'holds a query or fragment'
        : url.pathname !== '/' ? `has a path (${url.pathname}); Intake adds /api/v3/… itself` : undefined;
  if (problem) throw new UsageError('oomnitza_url_invalid', `the Oomnitza URL ${url.origin}${url.pathname === '/' ? '' : url.pathname} ${problem}; nothing was run`, { hint: 'give the instance\'s origin only, e.g. https://acme.oomnitza.com' });
  return new URL(url.origin);
}
