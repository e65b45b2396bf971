import { describeConfig } from '../../config/describe-config.js';
import { assertCompatible } from '../../engine/core-compatibility.js';
import { ExitCode, type ExitCodeValue } from '../../errors.js';
import { CORE_ENGINE_VERSION } from '../../version.js';
import type { CliIO } from '../cli-io.js';
import type { ValidateOptions } from '../commands/validate.js';
import { loadInputs } from '../load-inputs.js';
import { provenanceSigner } from '../provenance-signer.js';
import { jsonDocument } from '../json-document.js';
import { escapeControls } from '../../log/escape-controls.js';

/** `pmt validate`: loaded when it runs (see commands/validate.ts for its options). */
export async function validateAction(options: ValidateOptions, io: CliIO, done: (code: ExitCodeValue) => void): Promise<void> {
  const { registry, config, lookup } = await loadInputs(options, io);
  // A plugin this pmt would refuse to run is a problem of the registry, reported here too.
  assertCompatible(registry.available(), CORE_ENGINE_VERSION, registry.source);
  // A provenance key that cannot sign would stop every scan: said here too (exit 2), never its content.
  await provenanceSigner(config, io.cwd);
  const shown = describeConfig(config);
  if (options.json) {
    const plugins = registry.available().map((p) => p.name);
    io.stdout.write(jsonDocument({ registry: { source: registry.source, plugins, default: registry.default()?.name ?? null }, config: shown }));
  } else {
    const names = registry.available().map((p) => p.name).join(', ');
    io.stdout.write(`registry ${registry.source} (${lookup.registry.why}): ${registry.available().length} plugin(s) OK (${names}); default: ${registry.default()?.name ?? 'none'}\n`);
    io.stdout.write(lookup.config.file ? `config ${config.source} (${lookup.config.why}): OK\n` : 'config: none found, built-in defaults: OK\n');
    for (const [key, value] of Object.entries(shown)) io.stdout.write(`  ${key}: ${escapeControls(JSON.stringify(value))}\n`);
  }
  done(ExitCode.ok);
}
