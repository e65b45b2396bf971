import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import { ExitCode, UsageError, type ExitCodeValue } from '../../errors.js';
import { generateSigningKey, type KeyAlgorithm } from '../../provenance/signing-key.js';
import type { CliIO } from '../cli-io.js';
import { replaceFile } from '../../store/replace-file.js';

interface KeygenOptions {
  out: string;
  type: KeyAlgorithm;
  force: boolean;
}

/** `pmt keygen`: a key pair for signing provenance records, made offline. */
export function keygenCommand(io: CliIO, done: (code: ExitCodeValue) => void): Command {
  return new Command('keygen')
    .description('make a key pair for signing provenance records: PREFIX.key (private, mode 0600) and PREFIX.pub')
    .option('-o, --out <prefix>', 'path and name of the two files, without extension', 'pmt-provenance')
    .addOption(new Option('--type <type>', 'key type').choices(['ed25519', 'ecdsa-p256']).default('ed25519'))
    .option('--force', 'replace existing files', false)
    .action(async (options: KeygenOptions) => {
      const prefix = resolve(io.cwd, options.out);
      const [privatePath, publicPath] = [`${prefix}.key`, `${prefix}.pub`];
      const pair = generateSigningKey(options.type);
      // A new file is created exclusively with its mode; --force writes a fresh temp file (never an
      // existing one, whose mode would show the key to others while it is written) renamed over it.
      const write = async (path: string, text: string, mode: number): Promise<void> => {
        const create = (target: string): Promise<void> => writeFile(target, text, { flag: 'wx', mode });
        await (options.force ? replaceFile(path, create) : create(path)).catch((error: NodeJS.ErrnoException) => {
          if (error.code === 'EEXIST') throw new UsageError(`${path} already exists`, 'pass --force to replace it, or -o another prefix');
          throw new UsageError(`cannot write ${path}: ${error.code ?? error.message}`, 'choose a writable place with -o PREFIX');
        });
      };
      await write(privatePath, pair.privatePem, 0o600);
      await write(publicPath, pair.publicPem, 0o644);
      io.stdout.write(
        [
          `Private key: ${privatePath} (keep it secret; point ProvenanceKey or PMT_PROVENANCE_KEY at it)`,
          `Public key:  ${publicPath} (for verifiers: pmt verify RESULTS_DIR --key ${publicPath})`,
          `Key id:      ${pair.keyId} (${options.type})`,
          '',
        ].join('\n'),
      );
      done(ExitCode.ok);
    });
}
