import type { Command } from 'commander';
import { validateFiles } from '../../definition/load.js';
import { formatIssue } from '../../errors.js';
import { exitCodes, print } from '../output.js';

/** `intake validate <files…>` — every stage but running; all problems of every file at once. */
export function validateCommand(program: Command): void {
  program
    .command('validate')
    .description('check connector and mapping files: YAML syntax, schema, cross-references, expressions (a mapping is checked with its connector); a draft mapping (no sync key, a required field unmapped) does not pass')
    .argument('<files...>', 'connector or mapping YAML files')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', '\nExamples:\n  intake validate connectors/*.yaml mappings/*.yaml\n  intake validate --json mappings/slack-last-login.yaml')
    .action((files: string[], opts: { json?: boolean }) => {
      const results = validateFiles(files);
      const invalid = results.filter((r) => r.issues.length);
      if (opts.json) print({ valid: invalid.length === 0, files: results.map((r) => ({ ...r, state: !r.issues.length ? 'ok' : r.issues.every((i) => i.draft) ? 'draft' : 'invalid' })) });
      else {
        for (const r of results) {
          if (!r.issues.length) process.stdout.write(`ok       ${r.file} (${r.kind})\n`);
          else if (r.issues.every((i) => i.draft)) {
            process.stdout.write(`draft    ${r.file} (${r.kind}): ${r.issues.length} thing(s) missing before it can run (intake run --test works meanwhile)\n`);
            for (const issue of r.issues) process.stderr.write(`${formatIssue(issue)}\n`);
          } else {
            process.stdout.write(`invalid  ${r.file} (${r.kind}): ${r.issues.length} problem(s)\n`);
            for (const issue of r.issues) process.stderr.write(`${formatIssue(issue)}\n`);
          }
        }
      }
      process.exitCode = invalid.length ? exitCodes.invalid : exitCodes.ok;
    });
}
