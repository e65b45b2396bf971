import { ExitCode, PmtError } from '../errors.js';
import { formatBytes } from './format-bytes.js';

/** Which limit a result broke: the size of one file, or the total of one plugin run's files. */
export type ResultLimitScope = 'file' | 'run';

/** A plugin's result file broke a size limit; nothing of that file was kept. */
export class ResultTooLargeError extends PmtError {
  readonly pluginId: number;
  readonly fileName: string;
  readonly scope: ResultLimitScope;
  readonly limitBytes: number;

  constructor(details: { pluginId: number; fileName: string; scope: ResultLimitScope; limitBytes: number }) {
    const { pluginId, fileName, scope, limitBytes } = details;
    const limit = formatBytes(limitBytes);
    const message =
      scope === 'file'
        ? `result file ${JSON.stringify(fileName)} is larger than the limit of ${limit} per file`
        : `result file ${JSON.stringify(fileName)} takes the results of plugin run ${pluginId} over the limit of ${limit} per plugin run`;
    const setting = scope === 'file' ? 'MaxResultFileBytes' : 'MaxRunResultBytes';
    super(message, {
      origin: 'plugin',
      exitCode: ExitCode.pluginFailed,
      hint: `raise ${setting} in the core engine config, or make the plugin write smaller results`,
    });
    this.pluginId = pluginId;
    this.fileName = fileName;
    this.scope = scope;
    this.limitBytes = limitBytes;
  }
}
