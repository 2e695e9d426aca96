// The generated internal wiring of a small pool: one JSON config per role in <data-dir>/config, the
// internal links (gateway → jobmaster, gateway → metawriter) on free 127.0.0.1 ports. The files are
// rewritten at every start, so they always match the flags; an operator who outgrows `run` can copy
// them as the starting point of a multi-machine deployment (docs/deploy-pool.md).
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Network } from '@farmhand/core/bitcoin';
import type { GatewayConfigInput } from '../gateway/config.js';
import type { PoolRole } from '../supervisor/pool-roles.js';
import type { SmallPoolPlan } from './small-pool-flags.js';

export interface InternalPorts {
  readonly jobmaster: number;
  readonly metawriter: number;
  /** The gateway's uplink when no --uplink-port is given: loopback, told to nobody. */
  readonly uplink: number;
}

export interface SmallPoolWiring {
  readonly configDir: string;
  readonly roles: readonly PoolRole[];
  readonly configs: Readonly<Partial<Record<PoolRole, unknown>>>;
}

export function smallPoolWiring(
  plan: SmallPoolPlan,
  network: Network,
  ports: InternalPorts,
): SmallPoolWiring {
  const configDir = join(plan.dataDir, 'config');
  const jobmaster = {
    bitcoind: [
      {
        url: plan.bitcoind.url,
        ...(plan.bitcoind.cookieFile ? { cookieFile: plan.bitcoind.cookieFile } : {}),
      },
    ],
    payoutAddress: plan.payoutAddress,
    network,
    listen: { host: '127.0.0.1', port: ports.jobmaster },
    logLevel: plan.logLevel,
  };
  const d = plan.minDifficulty;
  const gateway: GatewayConfigInput = {
    name: 'gw-1',
    host: hostname().replace(/[\s:]/g, '') || 'pool',
    coin: plan.coin,
    stratum: { host: plan.listenHost, port: plan.stratumPort },
    uplink:
      plan.uplinkPort !== undefined
        ? { host: plan.listenHost, port: plan.uplinkPort }
        : { host: '127.0.0.1', port: ports.uplink },
    agents: [...plan.agents],
    jobmaster: [`127.0.0.1:${ports.jobmaster}`],
    ...(plan.redisUrl !== undefined ? { metawriter: `127.0.0.1:${ports.metawriter}` } : {}),
    // A given minimum is for regtest and CPU miners: start there (or they would never submit; vardiff
    // raises it for anything faster), and let agents send records down to it.
    ...(d !== undefined ? { minDifficulty: d, startDifficulty: d, agentDifficulty: d } : {}),
    spool: { dir: join(plan.dataDir, 'gateway', 'spool') },
    logLevel: plan.logLevel as GatewayConfigInput['logLevel'],
  };
  const configs: Partial<Record<PoolRole, unknown>> = { jobmaster, gateway };
  const roles: PoolRole[] = ['jobmaster', 'gateway'];
  if (plan.redisUrl !== undefined) {
    configs.metawriter = {
      listen: { host: '127.0.0.1', port: ports.metawriter },
      trust: ['127.0.0.1'],
      redis: { url: plan.redisUrl },
      logLevel: plan.logLevel === 'silent' ? 'fatal' : plan.logLevel,
    };
    roles.push('metawriter');
  }
  return { configDir, roles, configs };
}

/** Writes each role's file atomically (a restarted child never reads half a file). */
export function writeWiring(w: SmallPoolWiring): void {
  mkdirSync(w.configDir, { recursive: true, mode: 0o700 });
  for (const role of w.roles) {
    const file = join(w.configDir, `${role}.json`);
    // 0600: the files hold the node's RPC password and the agents' tokens.
    writeFileSync(`${file}.tmp`, `${JSON.stringify(w.configs[role], null, 2)}\n`, { mode: 0o600 });
    renameSync(`${file}.tmp`, file);
  }
}
