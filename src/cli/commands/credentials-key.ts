import type { Command } from 'commander';
import { renameSync } from 'node:fs';
import { decode, keyVariable, loadVaultKey, newKeyText } from '../../credentials/key.js';
import { writePrivate } from '../../credentials/private.js';
import { Vault } from '../../credentials/vault.js';
import { UsageError } from '../../errors.js';
import { openStore } from '../../store/db.js';
import { print } from '../output.js';
import { promptHidden, readAll } from '../secret-input.js';

type Where = (command: Command) => { env: NodeJS.ProcessEnv; db: string };

/**
 * `intake credentials rotate-key` — every vault value encrypted again under a new key, in one
 * transaction. With the key file, Intake makes the new key: it is written to `vault.key.new`
 * first, the vault is re-encrypted, then the new file replaces the old (a crash in between leaves
 * both, and the error names the `mv` that finishes it). With `INTAKE_VAULT_KEY`, the new key is
 * read from standard input (or a hidden prompt), never from the command line.
 */
export function rotateKeyCommand(credentials: Command, where: Where): void {
  credentials
    .command('rotate-key')
    .description('encrypt every vault value again under a new key (the key file is replaced; with INTAKE_VAULT_KEY, the new key comes from standard input)')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', `
Examples:
  intake credentials rotate-key                                   the key file: a new key is made
  openssl rand -base64 32 > new.key && intake credentials rotate-key < new.key
                                                                  INTAKE_VAULT_KEY: then set it to new.key`)
    .action(async (opts: { json?: boolean }, command: Command) => {
      const { env, db } = where(command);
      const current = loadVaultKey(env);
      if (!current) throw new UsageError('vault_key_missing', `there is no vault key to rotate: ${keyVariable} is not set and there is no key file`, { hint: 'a key is made the first time intake credentials set <connector> --cloud stores a value' });
      const store = openStore(db);
      try {
        const vault = new Vault(store);
        if (current.source === keyVariable) {
          const text = process.stdin.isTTY
            ? await promptHidden('new vault key (base64 of 32 bytes; not shown): ', process.stdin as unknown as Parameters<typeof promptHidden>[1], process.stderr)
            : (await readAll(process.stdin)).trim();
          if (!text) throw new UsageError('vault_key_missing', `give the new key on standard input (${keyVariable} holds the current one)`, { hint: 'openssl rand -base64 32 > new.key && intake credentials rotate-key < new.key' });
          const count = vault.rekey(current, decode(text, 'standard input', 'the new key on standard input'));
          return done(opts.json, { values: count, key: keyVariable }, `encrypted ${count} value(s) of the vault in ${db} under the new key: set ${keyVariable} to it now, and replace your backup of the key`);
        }
        const file = current.source;
        const text = newKeyText();
        const next = decode(text, file);
        writePrivate(`${file}.new`, `${text}\n`);
        const count = vault.rekey(current, next);
        renameSync(`${file}.new`, file);
        return done(opts.json, { values: count, key: file }, `encrypted ${count} value(s) of the vault in ${db} under a new key in ${file}: replace your backup of the key file now (the old key no longer opens the vault)`);
      } finally {
        store.close();
      }
    });
}

function done(json: boolean | undefined, result: { values: number; key: string }, text: string): void {
  if (json) print({ rotated: true, ...result });
  else process.stdout.write(`${text}\n`);
}
