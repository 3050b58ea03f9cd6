import type { ConnectorSpec, RequestSpec, Scalar } from '../definition/model.js';
import { compileTemplate, type Vars } from '../definition/template.js';
import { registerSecret, scrub } from '../credentials/scrub.js';
import { CredentialError, SourceError } from '../errors.js';
import { auths } from './auth/index.js';
import { checkedAuth } from './auth/checked.js';
import type { CredentialValues } from './auth/types.js';
import { below } from './below.js';
import { encodeBody, send, type HttpRequest, type HttpResponse, type Timeouts } from './http.js';
import { networkVerdict } from './network.js';
import type { PageRequest } from './pagination/types.js';
import { policyOf, requester, type JsonResponse, type Requester, type RetryEvent } from './request.js';
import { compileRules } from './rules.js';

/** A connector's API, ready to call: base URL, auth, error rules, retries, request budget. */
export interface Client {
  base: URL;
  requester: Requester;
  /** variables every template sees: settings, the non-secret credential fields, and `auth` (values of the token response, when templates use them) */
  vars: Vars;
  scrub: (text: string) => string;
}

export interface ClientOptions {
  connector: ConnectorSpec;
  settings: Record<string, Scalar>;
  credentials: CredentialValues;
  /** secret values to mask in messages; fetched access tokens are added to it */
  secrets: string[];
  onWait?: (ms: number, reason: string) => void;
  /** sees every retry and every wait (the run log counts them) */
  onRetry?: (event: RetryEvent) => void;
  /** a credential the provider replaced (a rotated refresh token), for the store that keeps it */
  onCredentialChange?: (field: string, value: string) => void;
}

export async function createClient(options: ClientOptions): Promise<Client> {
  const { connector } = options;
  const vars: Vars = { settings: options.settings, credentials: publicCredentials(connector, options.credentials) };
  // a base URL that comes from the token response is known once a token is fetched; any other is checked first
  let base = templatesUse([connector.base_url], 'auth') ? undefined : baseUrl(connector, vars);
  const scrub = scrubber(options.secrets);
  const addSecret = (value: string) => {
    options.secrets.push(value);
    registerSecret(value);
  };
  const policy = policyOf(connector);
  const context = {
    credentials: options.credentials,
    settings: options.settings,
    // a session logs in below the base URL, which therefore never comes from its response (validate refuses it)
    get baseUrl() {
      return (base ??= baseUrl(connector, vars));
    },
    send: authSend(policy.timeouts),
    addSecret,
    credentialChanged: (field: string, value: string) => {
      addSecret(value);
      options.credentials[field] = value;
      options.onCredentialChange?.(field, value);
    },
  };
  const auth = checkedAuth(auths.get(connector.credentials.type).create(connector.credentials, context), connector.credentials, options.credentials);
  if (auth.exports && templatesUse(requestTemplates(connector), 'auth')) vars.auth = await auth.exports();
  base ??= baseUrl(connector, vars);
  const classify = compileRules(connector.errors, connector.credentials.required_scopes);
  return {
    base,
    vars,
    scrub,
    requester: requester({ origin: base.origin, auth, classify, policy, scrub, onWait: options.onWait, onRetry: options.onRetry }),
  };
}

/** The templates of a connector's requests: base URL, the list request and the detail request. */
function requestTemplates(connector: ConnectorSpec): unknown[] {
  return [connector.base_url, connector.request, connector.detail?.request];
}

/** Whether any string inside these values has a `{{ <root>.… }}` placeholder. */
function templatesUse(values: unknown[], root: string): boolean {
  const placeholder = new RegExp(`\\{\\{\\s*${root}\\.`);
  const visit = (value: unknown): boolean =>
    typeof value === 'string' ? placeholder.test(value) : Array.isArray(value) ? value.some(visit) : value !== null && typeof value === 'object' ? Object.values(value).some(visit) : false;
  return values.some(visit);
}

/** Sends the requests of auth components (token endpoints, login calls): a network failure is a credential error that says what happened. */
function authSend(timeouts: Timeouts): (request: HttpRequest) => Promise<HttpResponse> {
  return async (request) => {
    try {
      return await send(request, timeouts);
    } catch (error) {
      const verdict = networkVerdict(error, request.url.host, timeouts, false);
      throw new CredentialError('auth_unreachable', `${request.method} ${request.url.origin}${request.url.pathname} (credentials): ${verdict.message}`, { hint: verdict.hint, cause: error });
    }
  };
}

export type BuildRequest = (extra: PageRequest, vars?: Vars) => HttpRequest;

/**
 * Compiles a request's templates once (path, query, headers, body); the result builds each call's
 * URL, headers and body.
 * Templates see `settings`, non-secret `credentials`, `page` (pagination state) and, for detail
 * calls, `record`. A query parameter or body field that renders empty is left out. A path that
 * leads outside the base URL once rendered and normalised is refused (see below.ts).
 */
export function compileRequest(spec: RequestSpec, client: Client): BuildRequest {
  const query = Object.entries(spec.query ?? {}).map(([name, value]) => [name, template(value)] as const);
  const headers = Object.entries(spec.headers ?? {}).map(([name, value]) => [name.toLowerCase(), template(value)] as const);
  const body = spec.body ? compileValue(spec.body) : undefined;
  const method = spec.method ?? 'GET';
  const root = client.base.href.replace(/\/$/, '');
  const path = template(spec.path);
  return (extra, more = {}) => {
    const vars = { ...client.vars, page: extra.state ?? {}, ...more };
    const url = extra.url ? new URL(extra.url, `${root}/`) : below(client.base, String(extra.path ?? path(vars)), extra.path ? 'continue path' : 'request path');
    if (!extra.url) {
      for (const [name, value] of query) setIfPresent(url.searchParams, name, value(vars));
    }
    for (const [name, value] of Object.entries(extra.query ?? {})) url.searchParams.set(name, value);
    const out: Record<string, string> = {};
    for (const [name, value] of headers) {
      const v = value(vars);
      if (!empty(v)) out[name] = String(v);
    }
    for (const [name, value] of Object.entries(extra.headers ?? {})) out[name.toLowerCase()] = value;
    if (method === 'GET') return { method, url, headers: out };
    const fields = { ...(extra.replaceBody ? {} : ((body?.(vars) as Record<string, unknown>) ?? {})), ...extra.body };
    const encoded = encodeBody(spec.body_type ?? 'json', fields);
    return { method, url, headers: { ...out, 'content-type': encoded.contentType }, body: encoded.body };
  };
}

/** Sends a built request through the client (auth, rules, retries). */
export async function call(client: Client, request: HttpRequest): Promise<JsonResponse> {
  if (request.url.origin !== client.base.origin) {
    throw new SourceError('foreign_host', `the API pointed to ${request.url.origin}, which is not the connector's host ${client.base.origin}; stopping rather than sending requests there`, {
      hint: 'check the base_url setting; if the API really moved, change base_url',
    });
  }
  return client.requester.send(request);
}

function template(value: Scalar): (vars: Vars) => unknown {
  if (typeof value !== 'string') return () => value;
  const compiled = compileTemplate(value);
  return (vars) => compiled.render(vars);
}

function compileValue(value: unknown): (vars: Vars) => unknown {
  if (typeof value === 'string') return template(value);
  if (Array.isArray(value)) {
    const items = value.map(compileValue);
    return (vars) => items.map((item) => item(vars));
  }
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).map(([k, v]) => [k, compileValue(v)] as const);
    return (vars) => {
      const out: Record<string, unknown> = {};
      for (const [k, v] of entries) {
        const rendered = v(vars);
        if (!empty(rendered)) out[k] = rendered;
      }
      return out;
    };
  }
  return () => value;
}

function empty(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}

function setIfPresent(params: URLSearchParams, name: string, value: unknown): void {
  if (!empty(value)) params.set(name, String(value));
}

function publicCredentials(connector: ConnectorSpec, values: CredentialValues): Record<string, string> {
  return Object.fromEntries(Object.entries(connector.credentials.fields).filter(([, f]) => f.secret === false).map(([name]) => [name, values[name]]));
}

function baseUrl(connector: ConnectorSpec, vars: Vars): URL {
  const text = String(compileTemplate(connector.base_url).render(vars) ?? '');
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (!url || !/^https?:$/.test(url.protocol)) {
    const hint = templatesUse([connector.base_url], 'auth')
      ? 'base_url uses a value of the token response ({{ auth.… }}): check credentials.exports in the connector'
      : 'set it with --set base_url=https://… or in the mapping\'s settings';
    throw new SourceError('base_url_invalid', `the base URL "${text}" is not an http(s) URL`, { hint });
  }
  // "{{ auth.instance_url }}/services/…" where the value ends in "/" (as Salesforce's docs show it): one slash
  url.pathname = url.pathname.replace(/\/{2,}/g, '/');
  return url;
}

/**
 * The process's one scrubber (src/credentials/scrub.ts), with these secrets registered; reads the
 * list at each call, so secrets added later (fetched tokens) are masked too.
 */
export function scrubber(secrets: string[]): (text: string) => string {
  return (text) => {
    for (const secret of secrets) registerSecret(secret);
    return scrub(text);
  };
}
