import type { CredentialsSpec } from '../../definition/model.js';

/** Resolved credential values by field name (secrets included: handle with care, never log). */
export type CredentialValues = Record<string, string>;

/** Adds authentication to an outgoing request to the connector's own host. */
export interface Auth {
  headers(): Promise<Record<string, string>>;
}

export interface AuthContext {
  credentials: CredentialValues;
}

export type AuthSpec = CredentialsSpec;
