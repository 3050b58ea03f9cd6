import type { ComponentDefinition } from '../../registry.js';
import { bearerFrom, renderAuth, requestToken, tokenCache } from './token.js';
import type { Auth, AuthContext, AuthSpec } from './types.js';

/**
 * `type: oauth2_client_credentials` — OAuth 2 client credentials grant: a token from the token
 * endpoint, cached until it expires, fetched again once after an HTTP 401. Needs the cloud
 * installation type (the instance keeps the client secret in its vault).
 *
 * ```yaml
 * credentials:                       # Microsoft Graph
 *   type: oauth2_client_credentials
 *   token_url: "https://login.microsoftonline.com/{{ credentials.tenant_id }}/oauth2/v2.0/token"
 *   scopes: [https://graph.microsoft.com/.default]
 *   client_id_field: client_id
 *   client_secret_field: client_secret
 *   fields:
 *     tenant_id:     { label: Directory (tenant) ID, secret: false, env: AZURE_TENANT_ID }
 *     client_id:     { label: Application (client) ID, secret: false, env: AZURE_CLIENT_ID }
 *     client_secret: { label: Client secret, secret: true, env: AZURE_CLIENT_SECRET }
 * ```
 * `client_auth: basic` sends the client id and secret as HTTP basic auth instead of form fields;
 * `grant_type` and `params` cover variants such as Zoom's `account_credentials`.
 * `exports: { instance_url: instance_url }` hands values of the token response to the request
 * templates as `{{ auth.<name> }}` (Salesforce's base URL; see token.ts).
 */
export interface ClientCredentialsSpec extends AuthSpec {
  token_url: string;
  scopes?: string[];
  client_id_field: string;
  client_secret_field: string;
  exports?: Record<string, string>;
  client_auth?: 'body' | 'basic';
  grant_type?: string;
  params?: Record<string, string>;
}

export const oauth2ClientCredentials: ComponentDefinition<AuthSpec, AuthContext, Auth> = {
  type: 'oauth2_client_credentials',
  create(config, ctx) {
    const spec = config as ClientCredentialsSpec;
    const cache = tokenCache(ctx, () => {
      const id = ctx.credentials[spec.client_id_field];
      const secret = ctx.credentials[spec.client_secret_field];
      const form: Record<string, string> = { grant_type: spec.grant_type ?? 'client_credentials' };
      if (spec.scopes?.length) form.scope = spec.scopes.map((scope) => renderAuth(scope, ctx)).join(' ');
      for (const [k, v] of Object.entries(spec.params ?? {})) form[k] = renderAuth(v, ctx);
      const headers: Record<string, string> = {};
      if (spec.client_auth === 'basic') headers.authorization = `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
      else Object.assign(form, { client_id: id, client_secret: secret });
      return requestToken(ctx, renderAuth(spec.token_url, ctx), form, headers);
    }, spec.exports);
    return bearerFrom(cache);
  },
};
