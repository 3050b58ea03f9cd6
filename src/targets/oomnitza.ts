import { oomnitzaTarget } from './oomnitza/adapter.js';
import { oomnitzaToken } from './oomnitza/token.js';
import { instanceUrl } from './oomnitza/url.js';
import type { TargetDefinition } from './types.js';

/**
 * `--target oomnitza` — the People records of an Oomnitza instance, through its REST API v3. The
 * instance's URL comes from `--oomnitza-url`, else `OOMNITZA_URL`, else the config file; the API
 * token from the credential store of the integration's installation type: `OOMNITZA_TOKEN` or the
 * credentials file (local), the vault (cloud) — see ./oomnitza/token.ts.
 *
 * ```yaml
 * # in a mapping
 * target: oomnitza
 * ```
 */
export const oomnitza: TargetDefinition = {
  type: 'oomnitza',
  argument: 'none',
  summary: 'the People records of an Oomnitza instance (REST API v3)',
  recordTypes: ['people'],
  keepsRecords: true,
  noSaasUsers: 'Oomnitza\'s documented v3 API has SaaS assignments and roles but no SaaS user records with fields to write (docs/targets.md): write the People records to Oomnitza with a record_type: people mapping, and SaaS users to --target store',
  check(_config, ctx) {
    instanceUrl(ctx.oomnitzaUrl);
    oomnitzaToken(ctx.installation, { env: ctx.env, db: ctx.storePath });
  },
  create(_config, ctx) {
    const base = instanceUrl(ctx.oomnitzaUrl);
    const token = oomnitzaToken(ctx.installation, { env: ctx.env, db: ctx.storePath });
    return oomnitzaTarget({ base, token, scrub: ctx.scrub, onRetry: ctx.onRetry, onWait: ctx.onWait });
  },
};
