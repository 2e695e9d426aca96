import { describe, expect, it } from 'vitest';
import {
  agentAddressFor,
  isAdopted,
  planPools,
  poolEndpoint,
  workerName,
} from '../../../agent/src/discovery/adopt-plan.js';

const AGENT = 'stratum+tcp://10.0.1.2:3333';

describe('adopt plan', () => {
  it('names workers by ip, mac or serial, falling back to the address', () => {
    const d = { ip: '10.0.1.17', mac: '70:B3:F5:00:00:01', serial: 'YNAHD3BBAJBJF0123' };
    expect(workerName('farm', 'ip', d)).toBe('farm.10-0-1-17');
    expect(workerName('farm', 'mac', d)).toBe('farm.70b3f5000001');
    expect(workerName('farm', 'serial', d)).toBe('farm.YNAHD3BBAJBJF0123');
    expect(workerName('farm', 'serial', { ...d, serial: null })).toBe('farm.10-0-1-17');
    expect(workerName('farm', 'serial', { ...d, serial: 'a b/c' })).toBe('farm.abc');
  });

  it('puts the agent first and keeps two old pools as backups, in their order', () => {
    const current = [
      { url: 'stratum+tcp://pool-b:3333', user: 'acct.b', status: 'Alive', priority: 1 },
      { url: 'stratum+tcp://pool-a:3333', user: 'acct.a', status: 'Alive', priority: 0 },
      { url: 'stratum+tcp://pool-c:443', user: 'acct.c', status: 'Alive', priority: 2 },
    ];
    const plan = planPools(current, AGENT, 'farm.x');
    expect(plan.from).toEqual([
      'stratum+tcp://pool-a:3333 acct.a',
      'stratum+tcp://pool-b:3333 acct.b',
      'stratum+tcp://pool-c:443 acct.c',
    ]);
    expect(plan.to).toEqual([
      `${AGENT} farm.x`,
      'stratum+tcp://pool-a:3333 acct.a',
      'stratum+tcp://pool-b:3333 acct.b',
    ]);
    expect(plan.pools.map((p) => p.password)).toEqual(['x', 'x', 'x']);
  });

  it('does not list the agent twice, and knows an adopted device', () => {
    const current = [
      { url: 'stratum+tcp://10.0.1.2:3333', user: 'farm.old', status: 'Alive', priority: 0 },
      { url: 'stratum+tcp://pool-a:3333', user: 'acct.a', status: 'Alive', priority: 1 },
    ];
    expect(isAdopted(current, AGENT)).toBe(true);
    expect(
      isAdopted(
        [...current].reverse().map((p, i) => ({ ...p, priority: i })),
        AGENT,
      ),
    ).toBe(false);
    expect(planPools(current, AGENT, 'farm.new').to).toEqual([
      `${AGENT} farm.new`,
      'stratum+tcp://pool-a:3333 acct.a',
    ]);
    // AxeOS reports a bare host; the port defaults to 3333.
    expect(poolEndpoint('10.0.1.2')).toBe(poolEndpoint(AGENT));
    expect(poolEndpoint('stratum+tcp://u:p@Pool.Example:443')).toBe('pool.example:443');
  });

  it("finds this machine's address on the miner's subnet", () => {
    const ifs = {
      lo: [
        { address: '127.0.0.1', netmask: '255.0.0.0', family: 'IPv4', internal: true, mac: '', cidr: null },
      ],
      eth0: [
        {
          address: '10.0.1.2',
          netmask: '255.255.255.0',
          family: 'IPv4',
          internal: false,
          mac: '',
          cidr: null,
        },
      ],
      eth1: [
        {
          address: '192.168.7.9',
          netmask: '255.255.0.0',
          family: 'IPv4',
          internal: false,
          mac: '',
          cidr: null,
        },
      ],
    } as unknown as Parameters<typeof agentAddressFor>[2];
    expect(agentAddressFor('192.168.3.4', undefined, ifs)).toBe('192.168.7.9');
    expect(agentAddressFor('10.0.1.200', undefined, ifs)).toBe('10.0.1.2');
    expect(agentAddressFor('172.16.0.5', undefined, ifs)).toBe('10.0.1.2'); // no match: the first LAN address
    expect(agentAddressFor('127.1.0.3', undefined, ifs)).toBe('127.0.0.1');
    expect(agentAddressFor('10.0.1.200', '10.0.1.250', ifs)).toBe('10.0.1.250');
  });
});
