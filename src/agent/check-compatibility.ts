import type { LoggedExec } from '../transport/result-collector.js';
import { PluginFailure } from './plugin-failure.js';

/**
 * The container answers commands: `echo test` must print `test`. A plugin image whose shell is wrong
 * or missing fails here, with what came back, before anything else runs.
 */
export async function checkContainerAnswers(exec: LoggedExec, shell: string): Promise<void> {
  const probe = [shell, '-c', 'echo test'];
  let result;
  try {
    result = await exec(probe);
  } catch (error) {
    throw new PluginFailure(
      `compatibility check \`echo test\` could not run: ${error instanceof Error ? error.message : String(error)}`,
      `the image needs a POSIX shell (${shell}) and echo`,
    );
  }
  if (result.exitCode !== 0 || result.stdout.trim() !== 'test') {
    const got = (result.stdout.trim() || result.stderr.trim() || '(nothing)').slice(0, 200);
    throw new PluginFailure(
      `compatibility check \`echo test\` failed: exit code ${result.exitCode}, output ${JSON.stringify(got)}`,
      `the image needs a POSIX shell (${shell}) and echo`,
    );
  }
}
