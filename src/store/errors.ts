import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { IntakeError, StoreError } from '../errors.js';

/** How long a write waits for another process's write transaction before giving up (SQLite busy timeout). */
export const busyTimeoutMs = 30_000;

const elsewhere = 'or point --db (or INTAKE_DB) at another file';

/**
 * The error a user should see for a failure of the store at `file`, or undefined when `error`
 * is not about the store (a bug, or a constraint the caller handles). SQLite's result codes and
 * the operating system's say what is wrong; the message names the path, the hint what to do.
 */
export function storeError(error: unknown, file: string): StoreError | undefined {
  if (error instanceof StoreError) return error;
  if (error instanceof IntakeError || !(error instanceof Error)) return undefined;
  const code = String((error as { code?: unknown }).code ?? '');
  const make = (id: string, message: string, hint: string) => new StoreError(id, message, { hint, cause: error });
  if (code === 'SQLITE_NOTADB') {
    return make('store_not_a_database', `${file} is not an Intake store: the file is not an SQLite database`, `point --db (or INTAKE_DB) at the store's file, or at a new file name to start a new store; move ${file} away if it was meant to be the store`);
  }
  if (code.startsWith('SQLITE_CORRUPT')) {
    return make('store_damaged', `the store ${file} is damaged (${error.message})`, `restore ${file} from a backup, or move it away to start a new store`);
  }
  const readOnly = code.startsWith('SQLITE_READONLY') || code === 'SQLITE_PERM' || code === 'EACCES' || code === 'EPERM' || code === 'EROFS';
  if (readOnly || (code.startsWith('SQLITE_CANTOPEN') && isFile(file) && whyReadOnly(file) !== undefined)) {
    return make('store_read_only', `the store ${file} cannot be written: ${whyReadOnly(file) ?? 'it is read-only (the file, its -wal or -shm file beside it, or the file system)'}`, `make ${file} and its folder writable by this user (chmod u+w; chattr -i for an immutable file), ${elsewhere}`);
  }
  if (code === 'SQLITE_FULL' || code === 'ENOSPC' || code === 'EFBIG') {
    return make('store_full', `the store ${file} could not be written: the disk is full, or the file reached the size this process may write (${code})`, `free space on the disk that holds ${file}, then run again`);
  }
  if (code === 'SQLITE_IOERR_WRITE' || code === 'SQLITE_IOERR_FSYNC' || code === 'SQLITE_IOERR_TRUNCATE') {
    return make('store_write_failed', `the store ${file} could not be written: the system refused the write (${code}: a full disk, a file-size limit, or a failing drive)`, `free space on the disk that holds ${file} and check it, then run again`);
  }
  if (code.startsWith('SQLITE_IOERR') || code === 'EIO') {
    return make('store_io_error', `the store ${file} could not be read or written: input/output error (${code})`, `check the disk that holds ${file} (space, errors, a removed or network drive), then run again`);
  }
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return make('store_busy', `the store ${file} stayed locked by another process for more than ${busyTimeoutMs / 1000} s`, 'another Intake command is writing to it (intake runs shows running runs); run again when it has finished');
  }
  if (code.startsWith('SQLITE_CANTOPEN') || code === 'ENOTDIR' || code === 'EISDIR') {
    const folder = isFolder(file);
    return make('store_cannot_open', `the store ${file} cannot be opened: ${whyCannotOpen(file)}`, folder
      ? `give the store's file, e.g. --db ${join(file, 'intake.db')}`
      : `check that ${dirname(file)} is a folder this user may write in, ${elsewhere}`);
  }
  return undefined;
}

/** `storeError(error, file)`, or the error itself when it is not about the store. */
export function asStoreError(error: unknown, file: string): unknown {
  return storeError(error, file) ?? error;
}

/** Why the store's file or folder cannot be written, when the system says (undefined: it does not). */
function whyReadOnly(file: string): string | undefined {
  const denied = (path: string) => {
    try {
      accessSync(path, constants.W_OK);
      return undefined;
    } catch (error) {
      return String((error as NodeJS.ErrnoException).code);
    }
  };
  const fileCode = existsSync(file) ? denied(file) : undefined;
  if (fileCode) return `the file is ${readOnlyWord(fileCode)}`;
  const dirCode = denied(dirname(file));
  if (dirCode) return `its folder ${dirname(file)} is ${readOnlyWord(dirCode)} (SQLite creates ${basename(file)}-wal and ${basename(file)}-shm beside the store)`;
  return undefined;
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

function readOnlyWord(code: string): string {
  if (code === 'EPERM') return 'protected against changes (immutable, or refused by the system)';
  if (code === 'EROFS') return 'on a read-only file system';
  return 'read-only for this user';
}

function whyCannotOpen(file: string): string {
  try {
    if (statSync(file).isDirectory()) return 'it is a folder, not a file';
  } catch {
    // missing: say what about its folder
  }
  try {
    if (!statSync(dirname(file)).isDirectory()) return `${dirname(file)} is not a folder`;
  } catch {
    return `its folder ${dirname(file)} does not exist`;
  }
  return 'SQLite could not open or create the file there';
}
