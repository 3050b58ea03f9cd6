import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { constants, Script } from 'node:vm';

/**
 * Runs the bundled program (`dist/cli/program.cjs`, written by scripts/bundle.mjs) with V8's code
 * cache, the way Node 22's `module.enableCompileCache()` does for modules (Node 20 has none).
 *
 * Without it every `intake` process parses and compiles the program's JavaScript again: about
 * 40 ms of a run's CPU before its first request. The first run of a command (`run`, `validate`, …)
 * of a build writes what V8 compiled to `$XDG_CACHE_HOME/intake/` (`~/.cache/intake/`), one file
 * per command; later runs of that command load it instead of compiling.
 *
 * - A cache file names the build it belongs to (`id`: a hash of the program's text) and where
 *   it is installed, so a new build never reads an old build's cache. Writing one keeps the
 *   files of the last few builds that wrote (two installations on one machine do not undo each
 *   other's) and removes older ones.
 * - V8 checks each file before it uses it (its version, flags and the program's length): a file it
 *   refuses, damaged or from another Node, is only slower, and written again.
 * - Nothing of a run's data is in it: only code compiled from the program's own text.
 * - Set `NODE_DISABLE_COMPILE_CACHE=1` (Node 22's variable for its own cache) to neither read nor
 *   write one. A cache folder that cannot be written is no error either: the run compiles.
 */
export function launch(file: string, id: string): void {
  const source = readFileSync(file, 'utf8');
  // the build and where it is installed: V8 keeps the file name it compiled in its cache (stack traces name it)
  const build = `${id}${hash(file)}`;
  const cache = process.env.NODE_DISABLE_COMPILE_CACHE ? undefined : cacheFile(build, commandOf(process.argv.slice(2)));
  const cachedData = cache ? readCache(cache) : undefined;
  const script = new Script(wrap(source), { filename: file, cachedData, importModuleDynamically: constants.USE_MAIN_CONTEXT_DEFAULT_LOADER });
  if (cache && (!cachedData || script.cachedDataRejected)) process.once('exit', () => writeCache(cache, build, () => script.createCachedData()));
  const module = { exports: {} };
  (script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: unknown, filename: string, dirname: string) => void)(
    module.exports, createRequire(file), module, file, dirname(file),
  );
}

/** FNV-1a of a text, as 8 hex digits. */
function hash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}

/** The program as a CommonJS module's function, as Node wraps a `.cjs` file. */
function wrap(source: string): string {
  return `(function (exports, require, module, __filename, __dirname) { ${source}\n})`;
}

/** The command a line runs (`run`, `validate`, …): its first word that is not an option or an option's value. */
export function commandOf(args: string[]): string {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--db' || arg === '--credentials') i++; // the global options that take a value
    else if (/^[a-z][a-z-]{0,23}$/.test(arg)) return arg;
    else if (!arg.startsWith('-')) break;
  }
  return 'other';
}

function cacheFolder(): string {
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'intake');
}

function cacheFile(id: string, command: string): string {
  return join(cacheFolder(), `program-${id}-${command}.v8`);
}

function readCache(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

/** Builds whose cache files are kept: this one and the ones that last wrote before it. */
const buildsKept = 4;

/** Writes the cache whole (a file of its own, then renamed) and removes the files of older builds; any failure leaves things as they were. */
function writeCache(file: string, id: string, data: () => Buffer): void {
  const folder = dirname(file);
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    writeFileSync(temporary, data(), { mode: 0o600 });
    renameSync(temporary, file);
    removeOlderBuilds(folder, id);
  } catch {
    try {
      rmSync(temporary, { force: true });
    } catch {
      // nothing was written
    }
  }
}

function removeOlderBuilds(folder: string, id: string): void {
  const latest = new Map<string, number>(); // build id → when it last wrote
  const files = readdirSync(folder).filter((name) => /^program-[0-9a-f]+-[a-z-]+\.v8$/.test(name));
  for (const name of files) {
    const build = name.split('-')[1];
    latest.set(build, Math.max(latest.get(build) ?? 0, build === id ? Infinity : statSync(join(folder, name)).mtimeMs));
  }
  const kept = new Set([...latest].sort((a, b) => b[1] - a[1]).slice(0, buildsKept).map(([build]) => build));
  for (const name of files) if (!kept.has(name.split('-')[1])) rmSync(join(folder, name), { force: true });
}
