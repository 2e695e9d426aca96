import { createServer } from 'node:net';
import { check, type CheckResult } from './check-result.js';
import type { AgentProbe } from './agent-probe.js';
import { listenerPid } from './socket-owner.js';

// A port the agent needs is fine when it is free (the agent can bind it) or when our own running
// agent holds it. "Ours" means: the agent's control API answers, and the same process holds both the
// control port and this one (per /proc); where /proc cannot tell, the answering API is taken as
// likely proof and said so.

export type BindOutcome = 'free' | 'in-use' | 'denied' | 'no-address' | string;

export function tryBind(host: string, port: number): Promise<BindOutcome> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EADDRINUSE') resolve('in-use');
      else if (e.code === 'EACCES') resolve('denied');
      else if (e.code === 'EADDRNOTAVAIL') resolve('no-address');
      else resolve(e.code ?? e.message);
    });
    // exclusive: a cluster-shared handle must not hide a busy port.
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve('free')));
  });
}

export interface PortSpec {
  readonly id: string;
  /** What the port is for, in words: "stratum (the farm's miners)". */
  readonly role: string;
  readonly host: string;
  readonly port: number;
  /** The config key and flag that move it. */
  readonly key: string;
  /** The config key of its address. */
  readonly hostKey: string;
}

export async function checkPort(
  spec: PortSpec,
  agent: AgentProbe,
  controlPort: number,
): Promise<CheckResult> {
  const where = `${spec.host}:${spec.port}`;
  if (spec.port === 0) return check(spec.id, 'ok', `${spec.role}: port 0 (the system picks one at start)`);
  const bound = await tryBind(spec.host, spec.port);
  if (bound === 'free') return check(spec.id, 'ok', `${spec.role}: ${where} is free for the agent`);
  if (bound === 'denied')
    return check(
      spec.id,
      spec.port < 1024 ? 'warn' : 'fail',
      `${spec.role}: binding ${where} is not allowed for this user`,
      spec.port < 1024
        ? 'ports below 1024 need CAP_NET_BIND_SERVICE; the installed unit grants it (run doctor with sudo to check as root)'
        : `pick another port with ${spec.key}`,
    );
  if (bound === 'no-address')
    return check(
      spec.id,
      'fail',
      `${spec.role}: ${spec.host} is not an address of this machine`,
      `set ${spec.hostKey} to an address of this box`,
    );
  if (bound !== 'in-use') return check(spec.id, 'fail', `${spec.role}: cannot bind ${where} (${bound})`);

  const holder = listenerPid(spec.port);
  const who = holder === null ? '' : ` (pid ${holder})`;
  if (agent.health) {
    const controlHolder = listenerPid(controlPort);
    if (holder !== null && controlHolder !== null) {
      if (holder === controlHolder)
        return check(
          spec.id,
          'ok',
          `${spec.role}: ${where} is held by the running agent${who}, version ${agent.health.version}`,
        );
    } else {
      return check(
        spec.id,
        'ok',
        `${spec.role}: ${where} is in use and a farmhand agent answers at ${agent.url}: most likely ours (run doctor with sudo to be sure)`,
      );
    }
  }
  return check(
    spec.id,
    'fail',
    `${spec.role}: ${where} is held by another program${who}, not by the farmhand agent`,
    `stop that program (see: sudo ss -ltnp 'sport = :${spec.port}'), or move the agent with ${spec.key}`,
  );
}
