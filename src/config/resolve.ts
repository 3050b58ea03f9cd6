import { delimiter, resolve } from 'node:path';
import { storePath } from '../store/db.js';
import { loadConfig, type ConfigFile } from './file.js';

/** Where a value came from, first that gives one wins: a flag, the environment, the config file, the default. */
export type Source = 'flag' | 'environment' | 'config file' | 'default';

export interface Setting<T> {
  value: T;
  source: Source;
  /** which flag or variable, or the config file's path */
  via?: string;
}

/** The defaults a run starts from, each with where it came from (`intake config` shows them). */
export interface Settings {
  file: Pick<ConfigFile, 'path' | 'from' | 'exists'>;
  store: Setting<string>;
  /** a mapping's `target:` wins over this one, and --target over both */
  target: Setting<string>;
  oomnitza_url: Setting<string | undefined>;
  connectors: Setting<string[]>;
}

export interface Flags {
  db?: string;
  target?: string;
  oomnitzaUrl?: string;
}

/**
 * Each setting from the first place that gives it: the command line, the environment
 * (INTAKE_DB, OOMNITZA_URL, INTAKE_CONNECTORS; an empty variable counts as unset), the config
 * file, the default.
 */
export function resolveSettings(flags: Flags = {}, env: NodeJS.ProcessEnv = process.env): Settings {
  const config = loadConfig(env);
  const inFile = { source: 'config file' as const, via: config.path };
  const { values } = config;
  return {
    file: { path: config.path, from: config.from, exists: config.exists },
    store: flags.db !== undefined ? { value: storePath(flags.db), source: 'flag', via: '--db' }
      : env.INTAKE_DB ? { value: resolve(env.INTAKE_DB), source: 'environment', via: 'INTAKE_DB' }
        : values.store !== undefined ? { value: values.store, ...inFile }
          : { value: resolve('intake.db'), source: 'default' },
    target: flags.target !== undefined ? { value: flags.target, source: 'flag', via: '--target' }
      : values.target !== undefined ? { value: values.target, ...inFile }
        : { value: 'store', source: 'default' },
    oomnitza_url: flags.oomnitzaUrl !== undefined ? { value: flags.oomnitzaUrl, source: 'flag', via: '--oomnitza-url' }
      : env.OOMNITZA_URL ? { value: env.OOMNITZA_URL, source: 'environment', via: 'OOMNITZA_URL' }
        : values.oomnitza?.url !== undefined ? { value: values.oomnitza.url, ...inFile }
          : { value: undefined, source: 'default' },
    connectors: env.INTAKE_CONNECTORS ? { value: env.INTAKE_CONNECTORS.split(delimiter).filter((d) => d.trim() !== '').map((d) => resolve(d)), source: 'environment', via: 'INTAKE_CONNECTORS' }
      : values.connectors !== undefined ? { value: values.connectors, ...inFile }
        : { value: [], source: 'default' },
  };
}
