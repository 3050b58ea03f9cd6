import type { CredentialsSpec, Scalar } from '../../definition/model.js';
import { compileTemplate } from '../../definition/template.js';
import type { HttpRequest, HttpResponse } from '../http.js';

/** Resolved credential values by field name (secrets included: handle with care, never log). */
export type CredentialValues = Record<string, string>;

/** A request about to go to the connector's own host. */
export interface OutgoingRequest {
  url: URL;
  headers: Record<string, string>;
}

/** Adds authentication to requests bound for the connector's own host. */
export interface Auth {
  apply(request: OutgoingRequest): Promise<void>;
  /** after an HTTP 401: forget cached tokens; true when one retry with a fresh token is worthwhile */
  refresh?(): Promise<boolean>;
  /**
   * Token grants: the values `exports:` names, from the token response (`{{ auth.<name> }}` in
   * request templates); fetches a token first if there is none. The same object, updated by each fetch.
   */
  exports?(): Promise<Record<string, string>>;
}

export interface AuthContext {
  credentials: CredentialValues;
  settings: Record<string, Scalar>;
  baseUrl: URL;
  /** sends a request without auth or retries (token endpoints, login steps) */
  send: (request: HttpRequest) => Promise<HttpResponse>;
  /** registers a value (a fetched access token) to be masked in every message */
  addSecret: (value: string) => void;
  /**
   * The provider replaced a credential (a token response that rotates the refresh token): the
   * new value is masked at once, used for the rest of the run, and handed to whoever keeps the
   * credentials (the vault writes it back), so the next run does not send a revoked one.
   */
  credentialChanged: (field: string, value: string) => void;
}

export type AuthSpec = CredentialsSpec;

/** The credential field an option names, or the first declared field. */
export function fieldOf(spec: AuthSpec, option: unknown): string {
  return typeof option === 'string' ? option : Object.keys(spec.fields)[0];
}

/** Whether a template over the credentials uses a secret field (its rendering must then be masked as a whole). */
export function usesSecret(template: string, spec: AuthSpec): boolean {
  return compileTemplate(template).refs.some((ref) => {
    const [root, name] = ref.split('.');
    return root === 'credentials' && spec.fields[name] !== undefined && spec.fields[name].secret !== false;
  });
}
