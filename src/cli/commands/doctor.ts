import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Command } from 'commander';
import type { ContainerRuntime, DistributionProbe, FileSharingProbe, VolumeRuntime } from '../../docker/container-runtime.js';
import type { SwarmRuntime } from '../../docker/swarm-runtime.js';
import { doctorExitCode } from '../../doctor/doctor-exit-code.js';
import { renderFindings } from '../../doctor/render-findings.js';
import { runDoctor, type DoctorRequest } from '../../doctor/run-doctor.js';
import { ConfigError, type ExitCodeValue } from '../../errors.js';
import { silentLogger } from '../../log/logger.js';
import { authResolver } from '../auth-resolver.js';
import type { CliIO } from '../cli-io.js';
import { withCommonOptions, type CommonOptions } from '../common-options.js';
import { loadInputs, lookUpInputs, registryFlagOf } from '../load-inputs.js';
import { jsonDocument } from '../json-document.js';

interface DoctorOptions extends CommonOptions {
  json: boolean;
  fix: boolean;
}

type DoctorRuntime = ContainerRuntime & DistributionProbe & VolumeRuntime & FileSharingProbe & { defaultRegistry(): Promise<string>; swarm(): SwarmRuntime };

export function doctorCommand(io: CliIO, runtime: (options?: Partial<CommonOptions>) => DoctorRuntime, done: (code: ExitCodeValue) => void): Command {
  return withCommonOptions(new Command('doctor'))
    .description('check that pmt can run: registry and config, the Docker engine, every plugin image, curl for the REST transport, and containers left by dead pmt runs')
    .option('--fix', 'remove containers and volumes left behind by pmt runs that are gone', false)
    .option('--json', 'print one JSON document', false)
    .addHelpText('after', '\nExit codes: 0 no check failed (warnings allowed), 1 a check failed, 2 the registry or config is invalid, 3 no Docker engine answers.')
    .action(async (options: DoctorOptions) => {
      const lookup = await lookUpInputs(options, io);
      const registryFile = lookup.registry.file!;
      let inputs: DoctorRequest['inputs'];
      try {
        const loaded = await loadInputs(options, io);
        inputs = { ...loaded, why: { registry: loaded.lookup.registry.why, config: loaded.lookup.config.why } };
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        inputs = { error, registryFile };
      }
      const docker = runtime(options);
      const report = await runDoctor(
        { inputs, fix: options.fix, registryFlag: registryFlagOf(lookup) },
        {
          runtime: docker,
          resolveAuth: authResolver(
            'config' in inputs
              ? { username: inputs.config.remoteRepoUser, password: inputs.config.remoteRepoPass }
              : { username: undefined, password: undefined },
            docker,
            io.env,
          ),
          host: hostname(),
          pid: process.pid,
          runId: randomBytes(6).toString('hex'),
          logger: silentLogger(),
          fileSharing: docker,
          swarm: docker.swarm(),
          cwd: io.cwd,
        },
      );
      const exitCode = doctorExitCode(report.findings);
      if (options.json) {
        io.stdout.write(jsonDocument({ exitCode, ...report }));
      } else {
        // NO_COLOR (any non-empty value) and pipes get words instead of coloured symbols.
        const style = io.stdout.isTTY && !io.env.NO_COLOR ? 'symbols' : 'plain';
        io.stdout.write(renderFindings(report, style));
      }
      done(exitCode);
    });
}
