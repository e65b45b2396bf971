import { Command, CommanderError } from 'commander';
import type { DockerRuntime } from '../docker/docker-runtime.js';
import { ExitCode, type ExitCodeValue } from '../errors.js';
import { PMT_VERSION } from '../version.js';
import type { CliIO } from './cli-io.js';
import { buildCommand } from './commands/build.js';
import { cacheCommand } from './commands/cache.js';
import { doctorCommand } from './commands/doctor.js';
import { keygenCommand } from './commands/keygen.js';
import { listCommand } from './commands/list.js';
import { pullCommand } from './commands/pull.js';
import { pushCommand } from './commands/push.js';
import { scanCommand } from './commands/scan.js';
import { validateCommand } from './commands/validate.js';
import { verifyCommand } from './commands/verify.js';
import { versionCommand } from './commands/version.js';
import { describeError } from './describe-error.js';
import { normaliseArgv } from './normalise-argv.js';
import type { RuntimeFactory } from './runtime-factory.js';

/**
 * Runs one pmt invocation and returns its exit code; never exits the process itself.
 * `args` are the arguments after `pmt`.
 */
export async function runCli(args: readonly string[], io: CliIO): Promise<ExitCodeValue> {
  let exitCode: ExitCodeValue = ExitCode.ok;
  const done = (code: ExitCodeValue): void => {
    exitCode = code;
  };
  // The engine is contacted only by commands that need it, and only once per invocation; dockerode
  // is loaded with it.
  let docker: Promise<DockerRuntime> | undefined;
  const runtime: RuntimeFactory = (options) =>
    (docker ??= import('../docker/connect-docker.js').then(({ connectDocker }) =>
      connectDocker({ dockerHost: options?.dockerHost, local: options?.engineLocal, env: io.env }),
    ));

  const program = new Command('pmt')
    .description('Product Model Toolkit client: runs license and SBOM scanner plugins in Docker containers and collects their results')
    .version(PMT_VERSION, '-V', 'print the pmt version only')
    .addHelpText('after', '\nShortcuts of the original client: pmt -l (list), pmt -v (version), pmt -s NAME -i DIR (scan).\nExit codes: 0 ok, 1 a plugin failed (verify: a check failed), 2 usage or config error, 3 Docker engine unreachable, 4 an upload to the PMT server failed, 129/130/143 interrupted (SIGHUP/SIGINT/SIGTERM).')
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .exitOverride()
    .showHelpAfterError('(run pmt --help or pmt <command> --help for usage)');
  for (const command of [
    scanCommand(io, runtime, done),
    listCommand(io, runtime, done),
    validateCommand(io, done),
    versionCommand(io, runtime, done),
    doctorCommand(io, runtime, done),
    pullCommand(io, runtime, done),
    pushCommand(io, runtime, done),
    buildCommand(io, runtime, done),
    cacheCommand(io, done),
    verifyCommand(io, done),
    keygenCommand(io, done),
  ]) {
    program.addCommand(command.exitOverride().configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) }));
  }

  const argv = normaliseArgv(args);
  const debug = argv.includes('--debug');
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are exits too; commander has already printed its message.
      return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    }
    for (const line of describeError(error, debug)) io.stderr.write(`${line}\n`);
    return (error as { exitCode?: ExitCodeValue }).exitCode ?? ExitCode.internal;
  } finally {
    // An ssh:// engine's ssh processes end with pmt, not after it.
    // (One that could not be made, e.g. for a bad --docker-host, has failed its command already.)
    await docker?.then((made) => made.close(), () => undefined);
  }
}
