import { describe, expect, it } from 'vitest';
import { parseApiRequest } from '../../agent/src/sim/cgminer-format.js';
import { parsePoolSpec, poolAddress } from '../../agent/src/sim/pool-url.js';
import { TimerWheel } from '../../agent/src/sim/timer-wheel.js';
import { startFarm } from '../../agent/src/sim/index.js';
import { startStratumEndpoint } from '../support/stratum-endpoint.js';
import { tcpText } from './sim-harness.js';

describe('sim building blocks', () => {
  it('pool specs: user, password and scheme are optional; bad ones are refused with a code', () => {
    expect(parsePoolSpec('stratum+tcp://acct:pw@127.0.0.1:3333')).toEqual({
      ok: true,
      value: { url: 'stratum+tcp://127.0.0.1:3333', user: 'acct', password: 'pw' },
    });
    expect(parsePoolSpec('127.0.0.1:3333')).toEqual({
      ok: true,
      value: { url: 'stratum+tcp://127.0.0.1:3333' },
    });
    const bad = parsePoolSpec('http://127.0.0.1');
    expect(bad.ok ? '' : bad.error.code).toBe('BAD_POOL_URL');
    expect(parsePoolSpec('stratum+tcp://127.0.0.1:70000').ok).toBe(false);
    expect(poolAddress('stratum+tcp://pool.example:25')).toEqual({ host: 'pool.example', port: 25 });
  });

  it('cgminer requests: JSON with command or cmd, plain text with a | parameter, NUL stripped', () => {
    expect(parseApiRequest('{"command":"addpool","parameter":"u,w,p"}\0')).toEqual({
      command: 'addpool',
      parameter: 'u,w,p',
      json: true,
    });
    expect(parseApiRequest('{"cmd":"summary"}')).toEqual({ command: 'summary', parameter: '', json: true });
    expect(parseApiRequest('switchpool|1\n')).toEqual({ command: 'switchpool', parameter: '1', json: false });
    expect(parseApiRequest('{"command":')).toBeUndefined();
    expect(parseApiRequest('')).toBeUndefined();
  });

  it('timer wheel: fires in time order, skips cancelled entries, compacts a heap of cancellations', async () => {
    const wheel = new TimerWheel();
    const fired: number[] = [];
    wheel.after(30, () => fired.push(3));
    wheel.after(10, () => fired.push(1));
    const c = wheel.after(20, () => fired.push(2));
    wheel.cancel(c);
    const many = Array.from({ length: 3000 }, () => wheel.after(60_000, () => fired.push(99)));
    for (const h of many) wheel.cancel(h);
    expect(wheel.size).toBeLessThan(2000);
    await new Promise((r) => setTimeout(r, 80));
    expect(fired).toEqual([1, 3]);
    wheel.stop();
  });

  it('perMinerAddress: every miner serves the same ports on its own 127.1.x.y address', async () => {
    const pool = await startStratumEndpoint();
    const base = 20_000 + Math.floor(Math.random() * 30_000);
    const farm = await startFarm({
      miners: 2,
      makes: ['antminer'],
      pools: [`stratum+tcp://127.0.0.1:${pool.port}`],
      hashrate: 1,
      perMinerAddress: true,
      apiBasePort: base,
    });
    try {
      expect(farm.miners.map((m) => [m.host, m.apiPort, m.httpPort])).toEqual([
        ['127.1.0.1', base, base + 1],
        ['127.1.0.2', base, base + 1],
      ]);
      for (const m of farm.miners) {
        const reply = await tcpText(base, '{"command":"version"}', m.host);
        expect(reply).toContain('"Type":"Antminer S9"');
      }
    } finally {
      await farm.stop();
      await pool.close();
    }
  });
});
