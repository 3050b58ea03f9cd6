import { chmodSync, closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { CredentialError } from '../errors.js';

/**
 * Files that hold secrets on this machine (the credentials file, the vault key): readable and
 * writable by their owner only, in a folder only the owner can enter. A file — or its folder —
 * that group or others may read or write is refused with the `chmod` that fixes it; what Intake
 * creates is private from the first byte (folder 0700, file 0600, written whole then renamed).
 */

/** Bits that give group or others any access. */
const shared = 0o077;

/**
 * Refuses a file that exists and is not private, or sits in a folder that is not: the message
 * names the path and its mode, the hint is the exact command that fixes it. Does nothing on
 * Windows, whose permissions are not modes.
 */
export function checkPrivate(file: string, what: string): void {
  if (process.platform === 'win32') return;
  const folder = dirname(file);
  const stat = statSync(folder);
  const folderMode = stat.mode & 0o777;
  if (folderMode & shared) {
    // a shared folder (/tmp, another user's) is not made private by chmod: the file moves instead
    const own = stat.uid === process.getuid?.() && !(stat.mode & 0o1000);
    throw new CredentialError('credentials_not_private', `the folder of ${what} ${folder} is open to ${audience(folderMode)} (mode ${octal(folderMode)}); it is not read`, {
      hint: own ? `make it private: chmod 700 ${quote(folder)}` : `keep it in a folder of your own that only you can enter, not in ${folder}: mkdir -m 700 <folder>, then move it there`,
    });
  }
  const mode = statSync(file).mode & 0o777;
  if (mode & shared) {
    throw new CredentialError('credentials_not_private', `${what} ${file} is ${access(mode)} by ${audience(mode)} (mode ${octal(mode)}); it is not read`, {
      hint: `make it private: chmod 600 ${quote(file)}`,
    });
  }
}

/**
 * Writes a private file whole: its folder is created 0700 when missing, the text goes to a
 * temporary file created 0600 beside it, which is synced and renamed over the file, so a reader
 * never sees half a file and the secret is never in a file others may read.
 */
export function writePrivate(file: string, text: string): void {
  const folder = dirname(file);
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.tmp`;
  rmSync(temporary, { force: true }); // left by a process that died with this pid
  const fd = openSync(temporary, 'wx', 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    rmSync(temporary, { force: true });
    throw error;
  }
  closeSync(fd);
  chmodSync(temporary, 0o600); // a umask cannot widen it, but an odd file system may
  renameSync(temporary, file);
}

/** Whether a path exists (as anything). */
export function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

function audience(mode: number): string {
  const group = mode & 0o070;
  const others = mode & 0o007;
  return group && others ? 'group and others' : group ? 'its group' : 'others';
}

function access(mode: number): string {
  const read = mode & 0o044;
  const write = mode & 0o022;
  return read && write ? 'readable and writable' : read ? 'readable' : write ? 'writable' : 'accessible';
}

const octal = (mode: number) => `0${mode.toString(8).padStart(3, '0')}`;

/** A path as a shell word: quoted when it holds anything but plain characters. */
function quote(path: string): string {
  return /^[\w@%+=:,./~-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`;
}
