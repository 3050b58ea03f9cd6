import { CredentialError } from '../../errors.js';
import type { ComponentDefinition } from '../../registry.js';
import { readSigningKey, type SigningKey } from './signing_key.js';
import { bearerFrom, renderAuth, requestToken, tokenCache } from './token.js';
import type { Auth, AuthContext, AuthSpec } from './types.js';

/**
 * `type: oauth2_jwt_bearer` — OAuth 2 JWT bearer grant (RFC 7523 §2.1), the server-to-server
 * "service account" flow: a JWT signed with the account's private key is exchanged at the token
 * endpoint (`grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer`, `assertion=<jwt>`) for an
 * access token, cached until it expires and fetched again once after an HTTP 401. Needs the
 * cloud installation type (the instance keeps the private key in its vault).
 *
 * ```yaml
 * credentials:                       # Google Workspace, service account with domain-wide delegation
 *   type: oauth2_jwt_bearer
 *   token_url: https://oauth2.googleapis.com/token
 *   scopes: [https://www.googleapis.com/auth/admin.directory.user.readonly]
 *   private_key_field: service_account_key     # a PEM private key, or the whole JSON key file
 *   subject_field: admin_email                 # sub: the user the account acts as (optional)
 *   fields:
 *     service_account_key: { label: Service account key (JSON key file), secret: true, env: GOOGLE_SERVICE_ACCOUNT_KEY }
 *     admin_email: { label: Administrator to act as, secret: false, env: GOOGLE_ADMIN_EMAIL }
 * ```
 * The JWT: header `{"alg": "RS256", "typ": "JWT"}` (`algorithm` for another), claims `iss` (the
 * key file's `client_email`, or `issuer_field`), `scope` (the scopes, space-separated, when there
 * are any), `aud` (`audience`, default the token URL), `sub` (`subject_field`, when given), `iat`
 * (now) and `exp` (`lifetime_seconds` later, at most 3600). A new JWT is signed for every token.
 */
export interface JwtBearerSpec extends AuthSpec {
  token_url: string;
  scopes?: string[];
  private_key_field: string;
  issuer_field?: string;
  subject_field?: string;
  audience?: string;
  algorithm?: 'RS256' | 'RS384' | 'RS512' | 'PS256' | 'ES256';
  lifetime_seconds?: number;
  /** a hint per OAuth error code of the token endpoint (`unauthorized_client`: …) */
  token_error_hints?: Record<string, string>;
  /** values of the token response for request templates, `{{ auth.<name> }}` (see token.ts) */
  exports?: Record<string, string>;
}

/** What the token endpoint's OAuth error codes usually mean for this grant; a connector's `token_error_hints` say it for its vendor. */
const grantHints: Record<string, string> = {
  invalid_grant: 'the token endpoint refused the signed assertion: check that the private key is a current key of the issuer (not deleted or disabled), that the subject is an existing user, and that this machine\'s clock is right',
  unauthorized_client: 'the issuer may not use this grant for these scopes: an administrator must authorise the account (and, to act as a subject, delegate the scopes to it)',
  invalid_scope: 'the token endpoint refused the scopes: check scopes in the connector',
  invalid_client: 'the token endpoint does not know the issuer, or its key is disabled: check the key and the issuer',
  access_denied: 'the token endpoint denied access for these scopes and this subject',
};

export const oauth2JwtBearer: ComponentDefinition<AuthSpec, AuthContext, Auth> = {
  type: 'oauth2_jwt_bearer',
  create(config, ctx) {
    const spec = config as JwtBearerSpec;
    let key: SigningKey | undefined;
    let keyError: unknown;
    try {
      key = readSigningKey(ctx.credentials[spec.private_key_field] ?? '', spec.private_key_field, spec.fields[spec.private_key_field]);
      for (const form of key.secretForms) ctx.addSecret(form);
    } catch (error) {
      keyError = error; // reported when a token is first needed, as a credential error of the run
    }
    const cache = tokenCache(ctx, async () => {
      if (!key) throw keyError;
      const tokenUrl = renderAuth(spec.token_url, ctx);
      const assertion = await sign(spec, ctx, key, tokenUrl);
      ctx.addSecret(assertion);
      return requestToken(ctx, tokenUrl, { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }, {}, { ...grantHints, ...spec.token_error_hints });
    }, spec.exports);
    return bearerFrom(cache);
  },
};

/** Signs the assertion: the claims Google documents for a service account, and RFC 7523 §3 asks for. */
async function sign(spec: JwtBearerSpec, ctx: AuthContext, key: SigningKey, tokenUrl: string): Promise<string> {
  const issuer = spec.issuer_field ? ctx.credentials[spec.issuer_field] : key.clientEmail;
  if (!issuer) {
    throw new CredentialError('credential_invalid', `no issuer for the JWT: the credential ${spec.private_key_field} is a PEM key, which names no account`, { hint: 'give the whole JSON key file (it holds client_email), or declare issuer_field in the connector' });
  }
  const iat = Math.floor(Date.now() / 1000);
  const claims: Record<string, string> = {};
  if (spec.scopes?.length) claims.scope = spec.scopes.map((scope) => renderAuth(scope, ctx)).join(' ');
  const { SignJWT } = await import('jose'); // loaded by the one auth type that signs: every other command starts without it
  const jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: spec.algorithm ?? 'RS256', typ: 'JWT' })
    .setIssuer(issuer)
    .setAudience(spec.audience ? renderAuth(spec.audience, ctx) : tokenUrl)
    .setIssuedAt(iat)
    .setExpirationTime(iat + Math.min(spec.lifetime_seconds ?? 3600, 3600));
  const subject = spec.subject_field ? ctx.credentials[spec.subject_field] : undefined;
  if (subject) jwt.setSubject(subject);
  try {
    return await jwt.sign(key.key);
  } catch (error) {
    throw new CredentialError('credential_invalid', `the private key in ${spec.private_key_field} cannot sign with ${spec.algorithm ?? 'RS256'} (it is an ${key.key.asymmetricKeyType?.toUpperCase()} key)`, { hint: 'RS256, RS384, RS512 and PS256 need an RSA key, ES256 a P-256 EC key: set algorithm to match the key', cause: error });
  }
}
