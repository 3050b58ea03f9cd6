import { SourceError } from '../errors.js';

/**
 * The URL of a request path below the base URL (`/users` under `https://api.acme.test/v2` is
 * `https://api.acme.test/v2/users`). A path that leads anywhere else once normalised — `..`
 * segments, also percent-encoded (`%2e%2e`) or hidden behind an encoded slash (`..%2f`) — is
 * refused: request, continue and login paths stay below the base URL, so a connector cannot
 * reach another endpoint of the host (a token endpoint, an admin API) through its paths.
 */
export function below(base: URL, path: string, what = 'request path'): URL {
  const url = join(base, path);
  if (!url || !isBelow(base, url)) {
    throw new SourceError('path_outside_base', `the ${what} "${path}" leads outside the base URL ${base.origin}${base.pathname}; nothing was sent`, {
      hint: 'request, continue and login paths must stay below base_url: remove the ".." segments (or change base_url)',
    });
  }
  return url;
}

/** Whether a path, as written in a connector (templates left in), would lead outside any base URL. */
export function leavesBase(path: string): boolean {
  const base = new URL('http://base.invalid/a/b');
  const url = join(base, path.replace(/\{\{[^}]*\}\}/g, 'x'));
  return !url || !isBelow(base, url);
}

function join(base: URL, path: string): URL | undefined {
  try {
    return new URL(`${base.href.replace(/\/$/, '')}/${path.replace(/^\//, '')}`);
  } catch {
    return undefined;
  }
}

function isBelow(base: URL, url: URL): boolean {
  if (url.origin !== base.origin) return false;
  const prefix = `${base.pathname.replace(/\/$/, '')}/`;
  const inside = (pathname: string) => pathname === prefix.slice(0, -1) || pathname.startsWith(prefix);
  if (!inside(url.pathname)) return false;
  let decoded: string;
  try {
    decoded = decodeURIComponent(url.pathname);
  } catch {
    return false;
  }
  // what a server that decodes %2f before resolving dots would see
  return inside(new URL(decoded.replace(/\\/g, '/'), url.origin).pathname);
}
