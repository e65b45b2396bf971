import type { ResultCache } from '../cache/result-cache.js';
import type { DockerRuntime } from '../docker/docker-runtime.js';
import { planFacts } from '../engine/plan-facts.js';
import { planScan } from '../engine/plan-scan.js';
import { PmtError } from '../errors.js';
import { maskCredentials } from '../log/mask-credentials.js';
import type { DsseSigner } from '../provenance/dsse-envelope.js';
import { PROVENANCE_FILE } from '../provenance/provenance-file.js';
import { planSwarm, swarmPlanToText } from '../swarm/plan-swarm.js';
import { swarmPreflight } from '../swarm/swarm-preflight.js';
import { jsonDocument } from './json-document.js';
import { planText, planToText } from './render-plan.js';

export type PlanRequest = Omit<Parameters<typeof planScan>[0], 'engineLocal'> & { readonly respectGitignore: boolean };

export interface PlanOutput {
  readonly server: string | undefined;
  readonly cache: ResultCache | undefined;
  readonly json: boolean;
  readonly signer: DsseSigner | undefined;
  /** The results and logs dirs the run would write to: inside the input they are not part of its digest. */
  readonly outputs: readonly string[];
}

/**
 * `--dry-run`: the plan, text or JSON. The engine is only asked whether it is local (in swarm mode:
 * whether it is a manager, and the address tasks would reach pmt at); nothing is created.
 */
export async function describePlan(docker: DockerRuntime, request: PlanRequest, output: PlanOutput): Promise<string> {
  const engine = await docker.describe().catch((error: unknown) => {
    if (error instanceof PmtError) return error;
    throw error;
  });
  const reachable = !(engine instanceof PmtError);
  const facts = await planFacts(request.plugins, request.inputDir, reachable ? docker : undefined, output.cache, output.outputs);
  const note = reachable ? `Docker engine ${engine.version} at ${engine.endpoint}` : `Docker engine: not reachable (${engine.message}); plan assumes a local engine`;
  // Where results would go, its password masked (jsonDocument and planToText mask too).
  const upload = output.server === undefined ? null : maskCredentials(output.server);
  const provenance = `${PROVENANCE_FILE} in the results directory, ${output.signer ? `signed (${output.signer.algorithm} key ${output.signer.keyId})` : 'unsigned (no ProvenanceKey)'}`;
  const header = `${note}\nPMT server: ${upload ?? 'none (results stay local)'}\nProvenance: ${provenance}`;
  if (request.config.engine === 'swarm') {
    const advertiseAddr = reachable
      ? (await swarmPreflight(docker.swarm(), engine.endpoint, request.config.restAdvertiseAddr)).advertiseAddr
      : request.config.restAdvertiseAddr || '<the address toward the manager>';
    const plans = planSwarm({ ...request, advertiseAddr, facts });
    if (output.json) return jsonDocument({ engine: note, mode: 'swarm', server: upload, provenance, plugins: plans });
    return planText(swarmPlanToText(plans), `${header}\nSwarm: one service per plugin; tasks reach pmt at ${advertiseAddr}`);
  }
  const plans = planScan({ ...request, engineLocal: reachable ? engine.local : undefined, facts });
  if (output.json) return jsonDocument({ engine: note, server: upload, provenance, plugins: plans });
  return planToText(plans, header);
}
