// `farmhand-pool run` in small-pool mode: check the node, write the generated configs, then supervise
// jobmaster, gateway (and metawriter with --redis) as child processes.
import { poolRoleSpecs } from '../supervisor/pool-roles.js';
import { runSupervised } from '../supervisor/run-supervised.js';
import type { SupervisorOptions } from '../supervisor/supervisor.js';
import { freeLoopbackPort } from './free-port.js';
import { nodeNetwork } from './node-network.js';
import type { SmallPoolPlan } from './small-pool-flags.js';
import { smallPoolWiring, writeWiring } from './small-pool-wiring.js';

/** Resolves with the process exit code: 1 when the node cannot be asked or disagrees with the flags. */
export async function runSmallPool(
  plan: SmallPoolPlan,
  options: SupervisorOptions = {},
  say: (line: string) => void = (l) => process.stderr.write(`[supervisor] ${l}\n`),
): Promise<number> {
  const node = await nodeNetwork(plan);
  if (!node.ok) {
    say(`${node.error.message}`);
    return 1;
  }
  const ports = {
    jobmaster: await freeLoopbackPort(),
    metawriter: await freeLoopbackPort(),
    uplink: await freeLoopbackPort(),
  };
  const wiring = smallPoolWiring(plan, node.value.network, ports);
  writeWiring(wiring);
  say(
    `node on ${node.value.network} at height ${node.value.blocks}; miners on ${plan.listenHost}:${plan.stratumPort}` +
      (plan.uplinkPort !== undefined ? `, agents on ${plan.listenHost}:${plan.uplinkPort}` : '') +
      (plan.redisUrl !== undefined ? `, stats to ${plan.redisUrl}` : ', no stats (no --redis)') +
      `; configs in ${wiring.configDir}`,
  );
  return runSupervised(poolRoleSpecs(wiring.roles, wiring.configDir), options);
}
