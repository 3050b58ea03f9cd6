import { compileTemplate } from '../../definition/template.js';
import { CredentialError } from '../../errors.js';
import { encodeBody } from '../http.js';
import { getter } from '../paths.js';
import type { Auth, AuthContext } from './types.js';

export interface Token {
  value: string;
  /** epoch ms after which the token is fetched again (shortly before it expires) */
  expiresAt: number;
  /** the parsed response body, for `exports:` */
  body?: unknown;
  /** where the token came from, for messages: "the token endpoint https://…/token" */
  source?: string;
}

/**
 * When a token that lives `seconds` is fetched again: shortly before it expires — a tenth of its
 * life early, at most a minute — so a token that lives 60 s or less is still reused for most of
 * its life (not fetched again for every request).
 */
export function expiresAt(seconds: number, now = Date.now()): number {
  const life = Math.max(0, seconds) * 1000;
  return now + life - Math.min(60_000, life / 10);
}

/** Renders a template over the settings and all credential fields (auth components only). */
export function renderAuth(text: string, ctx: AuthContext): string {
  return String(compileTemplate(text).render({ settings: ctx.settings, credentials: ctx.credentials }) ?? '');
}

/**
 * POSTs a form to a token endpoint and reads `access_token` / `expires_in` (RFC 6749 §5.1).
 * Errors name the endpoint, the OAuth error code and the endpoint's `error_description`, never a
 * secret; `hints` gives the hint per error code (a grant's own causes, such as a JWT bearer's).
 */
export async function requestToken(ctx: AuthContext, tokenUrl: string, form: Record<string, string>, headers: Record<string, string> = {}, hints: Record<string, string> = {}): Promise<Token> {
  let url: URL;
  try {
    url = new URL(tokenUrl);
  } catch {
    throw new CredentialError('token_url_invalid', `the token URL "${tokenUrl}" is not a URL`, { hint: 'check token_url in the connector and the settings it uses' });
  }
  const { body, contentType } = encodeBody('form', form);
  const response = await ctx.send({ method: 'POST', url, headers: { ...headers, 'content-type': contentType, accept: 'application/json' }, body });
  let parsed: Record<string, unknown> = {};
  try {
    parsed = JSON.parse(response.text) as Record<string, unknown>;
  } catch {
    parsed = {};
  }
  if (response.status >= 400 || typeof parsed.access_token !== 'string') {
    const code = typeof parsed.error === 'string' ? parsed.error : `HTTP ${response.status}`;
    const description = typeof parsed.error_description === 'string' && parsed.error_description.trim() ? `: ${parsed.error_description.trim().slice(0, 300)}` : '';
    throw new CredentialError('token_refused', `the token endpoint ${url.origin}${url.pathname} refused the credentials (${code}${description})`, {
      hint: hints[code] ?? (code === 'invalid_client' ? 'check the client id and client secret' : code === 'invalid_grant' ? 'the refresh token or grant is no longer valid: authorise the app again' : 'check the client credentials, scopes and token_url'),
    });
  }
  const seconds = Number(parsed.expires_in ?? 3600);
  return { value: parsed.access_token, expiresAt: expiresAt(Number.isFinite(seconds) ? seconds : 3600), body: parsed, source: `the token endpoint ${url.origin}${url.pathname}` };
}

export interface TokenCache {
  get(): Promise<string>;
  drop(): void;
  /** the values `exports:` names, read from the current token's response (fetched first if need be); one object, updated in place by every fetch */
  exports(): Promise<Record<string, string>>;
}

/**
 * A token cache: fetched on first use, reused until it expires, dropped on `refresh()`; every
 * token is masked in messages. With `exports` (name → dot path), each token response also yields
 * the values request templates use as `{{ auth.<name> }}`:
 *
 * ```yaml
 * credentials:
 *   type: oauth2_refresh_token                # Salesforce
 *   exports: { instance_url: instance_url }
 * base_url: "{{ auth.instance_url }}/services/data/v59.0"
 * ```
 */
export function tokenCache(ctx: AuthContext, fetch: () => Promise<Token>, exported: Record<string, string> = {}): TokenCache {
  let current: Promise<Token> | undefined;
  const values: Record<string, string> = {};
  const paths = Object.entries(exported).map(([name, path]) => [name, path, getter(path)] as const);
  const cache: TokenCache = {
    async get() {
      if (current) {
        const token = await current.catch(() => undefined);
        if (token && token.expiresAt > Date.now()) return token.value;
      }
      current = fetch();
      const token = await current;
      ctx.addSecret(token.value);
      if (paths.length) Object.assign(values, exportsOf(token, paths));
      return token.value;
    },
    drop() {
      current = undefined;
    },
    async exports() {
      await cache.get();
      return values;
    },
  };
  return cache;
}

/**
 * The auth of a token grant: `Authorization: Bearer <token>` from the cache; after an HTTP 401
 * the token is dropped and the request retried once with a fresh one.
 */
export function bearerFrom(cache: TokenCache): Auth {
  return {
    apply: async (request) => {
      request.headers.authorization = `Bearer ${await cache.get()}`;
    },
    refresh: async () => {
      cache.drop();
      return true;
    },
    exports: cache.exports,
  };
}

/** The exported values of one token response; a missing one is a credential error that names it (never the token). */
function exportsOf(token: Token, paths: readonly (readonly [string, string, (value: unknown) => unknown])[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, path, get] of paths) {
    const value = get(token.body);
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      const keys = token.body && typeof token.body === 'object' ? Object.keys(token.body).join(', ') : '(none: not JSON)';
      throw new CredentialError('token_export_missing', `${token.source ?? 'the token response'} returned no value at "${path}" (credentials.exports.${name})`, {
        hint: `check exports.${name} in the connector; the response has the keys ${keys || '(none)'}`,
      });
    }
    out[name] = String(value);
  }
  return out;
}
