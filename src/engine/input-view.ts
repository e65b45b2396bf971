import type { Logger } from 'pino';
import { placeOutputs } from '../cache/output-placement.js';
import { describeShield, InputShield } from '../agent/input-shield.js';
import type { BindMount } from '../docker/container-runtime.js';

/** What plugins of one run see of the input, beyond the input itself. */
export interface InputView {
  /** pmt's own output dirs inside the input: hidden from plugins and left out of the digest. */
  readonly hidden: readonly string[];
  /** bind mode: the extra read-only mounts of every container, found on first use and logged once. */
  readonly shield: () => Promise<readonly BindMount[]>;
  /** Removes the shield's empty file and dir; after the run's containers are gone. */
  dispose(): Promise<void>;
}

/**
 * The input view of a run whose results and logs go to `outputDirs`. Warns when an output dir holds
 * the input itself (nothing can be hidden then).
 */
export async function openInputView(inputDir: string, outputDirs: readonly (string | undefined)[], tempParent: string, logger: Logger): Promise<InputView> {
  const outputs = await placeOutputs(inputDir, outputDirs);
  for (const dir of outputs.covering) {
    logger.warn(`${dir} holds the input ${inputDir}: plugins will see pmt's results and logs there, and the cache will miss on every run; write them outside the input or into a subdirectory of it`);
  }
  const shield = new InputShield(inputDir, outputs.inside, tempParent);
  let logged = false;
  return {
    hidden: outputs.inside,
    shield: async () => {
      const { binds, hazards } = await shield.binds();
      if (!logged && binds.length > 0) logger.info(`Shielded from plugins: ${describeShield(hazards, outputs.inside)}`);
      logged = true;
      return binds;
    },
    dispose: () => shield.dispose(),
  };
}
