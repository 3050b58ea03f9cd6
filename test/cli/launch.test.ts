import { afterAll, describe, expect, it } from '@jest/globals';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commandOf } from '../../src/cli/launch.js';
import { intake } from '../helpers/cli.js';

const homes = mkdtempSync(join(tmpdir(), 'intake-launch-'));
afterAll(() => rmSync(homes, { recursive: true, force: true }));
let n = 0;
/** A cache home of its own for one test. */
const cacheHome = () => join(homes, String(n++));
const cacheFiles = (home: string) => (existsSync(join(home, 'intake')) ? readdirSync(join(home, 'intake')).sort() : []);
const validate = (home: string, env: Record<string, string> = {}) => intake(['validate', 'connectors/slack-last-login.yaml', 'mappings/slack-last-login.yaml'], { XDG_CACHE_HOME: home, ...env });

describe('the compiled-code cache of the intake command (src/cli/launch.ts)', () => {
  it('the first run of a command writes its cache, private to the user; the next runs answer the same from it', async () => {
    const home = cacheHome();
    const first = await validate(home);
    expect(first).toMatchObject({ code: 0, stderr: '' });
    const files = cacheFiles(home);
    expect(files).toEqual([expect.stringMatching(/^program-[0-9a-f]{24}-validate\.v8$/)]);
    const file = join(home, 'intake', files[0]);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(home, 'intake')).mode & 0o777).toBe(0o700);
    const written = readFileSync(file);
    expect(written.length).toBeGreaterThan(10_000);

    const second = await validate(home);
    expect(second).toEqual(first);
    expect(readFileSync(file).equals(written)).toBe(true); // used, not written again

    await intake(['--db', join(home, 'x.db'), 'runs', '--json'], { XDG_CACHE_HOME: home });
    expect(cacheFiles(home)).toEqual([files[0].replace('-validate', '-runs'), files[0]].sort());
  });

  it('a damaged cache file is no error: the command answers the same, and the cache is written again', async () => {
    const home = cacheHome();
    const clean = await validate(home);
    const [file] = cacheFiles(home);
    writeFileSync(join(home, 'intake', file), 'not V8 code at all');

    const again = await validate(home);
    expect(again).toEqual(clean);
    expect(readFileSync(join(home, 'intake', file), 'utf8')).not.toBe('not V8 code at all');
  });

  it('writing a cache keeps the files of the three builds that wrote last before this one, and removes older builds\' files', async () => {
    const home = cacheHome();
    mkdirSync(join(home, 'intake'), { recursive: true });
    const others = ['0000000000000001', '0000000000000002', '0000000000000003', '0000000000000004', '0000000000000005'];
    others.forEach((build, i) => {
      for (const command of ['run', 'validate']) {
        const file = join(home, 'intake', `program-${build}-${command}.v8`);
        writeFileSync(file, 'another build');
        utimesSync(file, 1_700_000_000 + i * 60, 1_700_000_000 + i * 60); // 0000…1 wrote first
      }
    });
    expect(await validate(home)).toMatchObject({ code: 0, stderr: '' });
    const builds = new Set(cacheFiles(home).map((name) => name.split('-')[1]));
    expect([...builds].sort()).toEqual(['0000000000000003', '0000000000000004', '0000000000000005', expect.stringMatching(/^[0-9a-f]{24}$/)].sort());
    expect(cacheFiles(home)).toHaveLength(7); // two files of each other build kept, one of this one
  });

  it('NODE_DISABLE_COMPILE_CACHE=1 neither reads nor writes one; a cache home that cannot be written is no error', async () => {
    const home = cacheHome();
    expect(await validate(home, { NODE_DISABLE_COMPILE_CACHE: '1' })).toMatchObject({ code: 0, stderr: '' });
    expect(existsSync(home)).toBe(false);

    const blocked = cacheHome();
    mkdirSync(blocked);
    writeFileSync(join(blocked, 'intake'), 'a file where the cache folder would be');
    expect(await validate(blocked)).toMatchObject({ code: 0, stderr: '' });
  });

  it('a cache per command: the first word that is not an option or the value of --db / --credentials', () => {
    expect(commandOf(['run', 'mappings/slack-last-login.yaml'])).toBe('run');
    expect(commandOf(['--db', 'run.db', 'run', 'x.yaml'])).toBe('run');
    expect(commandOf(['--credentials', 'validate', 'runs', 'show', '1'])).toBe('runs');
    expect(commandOf(['--db=x.db', 'credentials', 'set', 'slack-users'])).toBe('credentials');
    expect(commandOf(['--help'])).toBe('other');
    expect(commandOf([])).toBe('other');
    expect(commandOf(['/some/file.yaml'])).toBe('other');
  });
});
