import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { doctorExitCode } from '../../doctor/doctor-exit-code.js';
import { renderFindings } from '../../doctor/render-findings.js';
import { runDoctor, type DoctorRequest } from '../../doctor/run-doctor.js';
import type { DoctorReport } from '../../doctor/finding.js';
import { ConfigError, signalExitCode, type ExitCodeValue } from '../../errors.js';
import { authResolver } from '../auth-resolver.js';
import type { CliIO } from '../cli-io.js';
import type { RuntimeFactory } from '../runtime-factory.js';
import type { DoctorOptions, DoctorRuntime } from '../commands/doctor.js';
import { loadInputs, lookUpInputs, registryFlagOf } from '../load-inputs.js';
import { jsonDocument } from '../json-document.js';

/** `pmt doctor`: loaded when it runs (see commands/doctor.ts for its options). */
export async function doctorAction(
  options: DoctorOptions,
  io: CliIO,
  runtime: RuntimeFactory<DoctorRuntime>,
  done: (code: ExitCodeValue) => void,
): Promise<void> {
  const lookup = await lookUpInputs(options, io);
  const registryFile = lookup.registry.file!;
  let inputs: DoctorRequest['inputs'];
  try {
    const loaded = await loadInputs(options, io, options.swarm ? { engine: 'swarm' } : {});
    inputs = { ...loaded, why: { registry: loaded.lookup.registry.why, config: loaded.lookup.config.why } };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    inputs = { error, registryFile };
  }
  const docker = await runtime(options);
  const swarmMode = options.swarm === true || ('config' in inputs && inputs.config.engine === 'swarm');
  // Swarm mode: Ctrl-C stops the pull checks and their services are removed before pmt exits (a
  // second signal exits at once). Locally a signal ends doctor as it always did.
  const controller = new AbortController();
  const stopListening = swarmMode
    ? io.onSignal((signal) => {
        if (!controller.signal.aborted) controller.abort(signal);
        else io.exitNow?.(signalExitCode(signal));
      })
    : () => undefined;
  let report: DoctorReport;
  try {
    report = await runDoctor(
      { inputs, fix: options.fix, registryFlag: registryFlagOf(lookup), ...(swarmMode ? { swarm: { pullTimeoutMs: options.timeout } } : {}) },
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
        logger: (await import('../../log/logger.js')).silentLogger(),
        fileSharing: docker,
        swarm: docker.swarm(),
        signal: controller.signal,
        cwd: io.cwd,
      },
    );
  } catch (error) {
    if (!controller.signal.aborted) throw error;
    io.stderr.write(`pmt: Received ${String(controller.signal.reason)}; doctor stopped and removed its swarm services\n`);
    done(signalExitCode(controller.signal.reason as NodeJS.Signals));
    return;
  } finally {
    stopListening();
  }
  const exitCode = doctorExitCode(report.findings);
  if (options.json) {
    io.stdout.write(jsonDocument({ exitCode, ...report }));
  } else {
    // NO_COLOR (any non-empty value) and pipes get words instead of coloured symbols.
    const style = io.stdout.isTTY && !io.env.NO_COLOR ? 'symbols' : 'plain';
    io.stdout.write(renderFindings(report, style));
  }
  done(exitCode);
}
