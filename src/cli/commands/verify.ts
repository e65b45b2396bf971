import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Command } from 'commander';
import { ExitCode, UsageError, type ExitCodeValue } from '../../errors.js';
import { PROVENANCE_FILE } from '../../provenance/provenance-file.js';
import type { CliIO } from '../cli-io.js';
import { escapeControls } from '../../log/escape-controls.js';
import { jsonDocument } from '../json-document.js';

interface VerifyOptions {
  key?: string;
  input?: string;
  json: boolean;
}

/** `pmt verify DIR`: the results directory against its provenance record; exit 0 only when every check holds. */
export function verifyCommand(io: CliIO, done: (code: ExitCodeValue) => void): Command {
  return new Command('verify')
    .description(`check a results directory against its ${PROVENANCE_FILE}: every result file's sha256, the signature (--key), the input (--input)`)
    .argument('<results-dir>', 'the directory pmt scan saved the results and the record in')
    .option('--key <file>', 'PEM public key to check the signature with (from pmt keygen)')
    .option('--input <dir>', 'digest this directory and compare it with the recorded input digest')
    .option('--json', 'print one JSON document', false)
    .action(async (dirArgument: string, options: VerifyOptions) => {
      const dir = await directory(resolve(io.cwd, dirArgument), 'results directory');
      const inputDir = options.input === undefined ? undefined : await directory(resolve(io.cwd, options.input), '--input directory');
      // Loaded only when used: hashing and key handling stay out of every other command's start.
      const [{ verifyRecord }, { KeyProblem, verifierFromPem }] = await Promise.all([
        import('../../provenance/verify-record.js'),
        import('../../provenance/signing-key.js'),
      ]);
      let key;
      if (options.key !== undefined) {
        const path = resolve(io.cwd, options.key);
        const pem = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
          throw new UsageError(`cannot read the key ${path}: ${error.code ?? error.message}`, 'pass the public key file that pmt keygen wrote (--key NAME.pub)');
        });
        try {
          key = verifierFromPem(pem, path);
        } catch (error) {
          if (error instanceof KeyProblem) throw new UsageError(error.message, 'pass an ed25519 or ECDSA P-256 public key in PEM (pmt keygen writes one)');
          throw error;
        }
      }
      const checks = await verifyRecord({ dir, key, inputDir });
      const ok = checks.every((c) => c.ok);
      if (options.json) {
        io.stdout.write(jsonDocument({ dir, ok, checks }));
      } else {
        const width = Math.max(...checks.map((c) => c.what.length));
        for (const c of checks) io.stdout.write(`${c.ok ? 'ok  ' : 'FAIL'}  ${c.what.padEnd(width)}  ${escapeControls(c.message)}\n`);
        const failed = checks.filter((c) => !c.ok).length;
        io.stdout.write(ok ? `Verified: every check of ${dir} holds.\n` : `Verification failed: ${failed} of ${checks.length} check(s) do not hold.\n`);
      }
      done(ok ? ExitCode.ok : ExitCode.pluginFailed);
    });
}

async function directory(path: string, what: string): Promise<string> {
  const info = await stat(path).catch(() => undefined);
  if (!info?.isDirectory()) throw new UsageError(`${what} ${path} ${info ? 'is not a directory' : 'does not exist'}`, 'pass the directory pmt scan saved its results in');
  return path;
}
