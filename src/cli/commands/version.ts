import { Command } from 'commander';
import { ExitCode, PmtError, type ExitCodeValue } from '../../errors.js';
import { CORE_ENGINE_VERSION, PMT_VERSION } from '../../version.js';
import type { CliIO } from '../cli-io.js';
import { withEngineOptions } from '../common-options.js';
import type { RuntimeFactory } from '../runtime-factory.js';
import { jsonDocument } from '../json-document.js';
import { escapeControls } from '../../log/escape-controls.js';

export function versionCommand(io: CliIO, runtime: RuntimeFactory, done: (code: ExitCodeValue) => void): Command {
  return withEngineOptions(new Command('version'))
    .description('print the versions of pmt, its core engine and the Docker engine (alias: pmt -v)')
    .option('--json', 'print one JSON document', false)
    .action(async (options: { json: boolean; dockerHost?: string; engineLocal?: boolean }) => {
      let docker: { version: string; apiVersion: string; endpoint: string } | { unreachable: string };
      try {
        const info = await (await runtime(options)).describe();
        docker = { version: info.version, apiVersion: info.apiVersion, endpoint: info.endpoint };
      } catch (error) {
        if (!(error instanceof PmtError)) throw error;
        docker = { unreachable: error.message };
      }
      if (options.json) {
        io.stdout.write(jsonDocument({ pmt: PMT_VERSION, coreEngine: CORE_ENGINE_VERSION, docker }));
      } else {
        const engine = 'unreachable' in docker ? `unreachable (${docker.unreachable})` : `${docker.version} (API ${docker.apiVersion}) at ${docker.endpoint}`;
        io.stdout.write(`pmt ${PMT_VERSION}\ncore engine ${CORE_ENGINE_VERSION}\nDocker engine ${escapeControls(engine)}\n`);
      }
      done(ExitCode.ok);
    });
}
