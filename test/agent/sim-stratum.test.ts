import { describe, expect, it } from 'vitest';
import { D, simHarness } from './sim-harness.js';

// The simulated miners against a real (minimal) Stratum endpoint that checks every share with
// core's ShareValidator. Difficulty 2^-16 keeps a real share at ~65k sha256d.

const { endpoint, startFarm } = simHarness();

describe('simulated miners on Stratum', () => {
  it('every make subscribes with its user agent and submits shares the validator accepts, credited to its worker', async () => {
    const pool = await endpoint();
    const farm = await startFarm({
      miners: 5,
      pools: [`stratum+tcp://127.0.0.1:${pool.port}`],
      account: 'acme',
      hashrate: 400_000,
      apis: false,
    });
    const workers = farm.miners.map((m) => m.worker);
    expect(workers).toEqual([
      'acme.antminer-1',
      'acme.braiins-1',
      'acme.whatsminer-1',
      'acme.avalon-1',
      'acme.bitaxe-1',
    ]);
    await pool.until(
      () =>
        workers.every((w) => pool.accepted(w).length >= 2) && farm.miners.every((m) => m.stats.accepted >= 2),
      20_000,
    );
    expect(pool.rejected()).toEqual([]);
    for (const m of farm.miners) {
      expect(m.stats.accepted).toBeGreaterThanOrEqual(2);
      expect(m.stats.currentPool).toBe(`stratum+tcp://127.0.0.1:${pool.port}`);
      expect(m.stats.difficulty).toBe(D);
    }
    const agents = pool.sessions.map((s) => s.userAgent).sort();
    expect(agents).toEqual([
      'bitaxe/BM1370/v2.12.2',
      'bmminer/2.0.0',
      'bosminer/0.2.0-36c56a9363',
      'btminer/3.1.0',
      'cgminer/4.11.1',
    ]);
    // Version rolling was negotiated and used: some accepted share carries rolled bits.
    const bitaxe = pool.sessions.find((s) => s.userAgent?.startsWith('bitaxe'));
    expect(bitaxe?.suggestedDifficulty).toBe(1000);
    // ESP-Miner's order (a recorded Bitaxe session) differs from the cgminer family's.
    expect(bitaxe?.methods.slice(0, 4)).toEqual([
      'mining.subscribe',
      'mining.configure',
      'mining.authorize',
      'mining.suggest_difficulty',
    ]);
    const antminer = pool.sessions.find((s) => s.userAgent?.startsWith('bmminer'));
    expect(antminer?.methods.slice(0, 3)).toEqual([
      'mining.configure',
      'mining.subscribe',
      'mining.authorize',
    ]);
    expect(pool.sessions.every((s) => s.versionMask === 0x1fffe000)).toBe(true);
    const accepted = pool.accepted();
    expect(accepted.every((s) => s.verdict.kind === 'accepted' && s.verdict.shareDifficulty >= D)).toBe(true);
  });

  it('faults produce the pool error codes: stale 21, duplicate 22, low difficulty 23', async () => {
    const pool = await endpoint();
    const farm = await startFarm({
      miners: 3,
      makes: ['antminer'],
      pools: [`stratum+tcp://127.0.0.1:${pool.port}`],
      account: 'f',
      hashrate: 400_000,
      apis: false,
    });
    const [a, b, c] = farm.miners;
    await pool.until(() => farm.miners.every((m) => m.stats.accepted >= 1), 20_000);
    pool.newJob(true); // retires the first job, so a stale share has somewhere to point
    farm.setFault(a!.name, { kind: 'stale-shares' });
    farm.setFault(b!.name, { kind: 'duplicate-shares' });
    farm.setFault(c!.name, { kind: 'low-difficulty-shares' });
    const codes = (w: string) =>
      pool.rejected(w).map((s) => (s.verdict.kind === 'rejected' ? s.verdict.code : 0));
    await pool.until(
      () =>
        (a!.stats.rejectCodes[21] ?? 0) >= 1 &&
        (b!.stats.rejectCodes[22] ?? 0) >= 1 &&
        (c!.stats.rejectCodes[23] ?? 0) >= 1,
      20_000,
    );
    expect(new Set(codes(a!.worker))).toEqual(new Set([21]));
    expect(new Set(codes(b!.worker))).toEqual(new Set([22]));
    expect(new Set(codes(c!.worker))).toEqual(new Set([23]));
    expect(b!.stats.rejectCodes[22]).toBeGreaterThanOrEqual(1);
    expect(c!.stats.rejectCodes[23]).toBeGreaterThanOrEqual(1);
  });

  it('fails over to the second pool when the first dies, and reconnects after a disconnect fault', async () => {
    const first = await endpoint();
    const second = await endpoint();
    const farm = await startFarm({
      miners: 2,
      makes: ['whatsminer', 'bitaxe'],
      pools: [`stratum+tcp://127.0.0.1:${first.port}`, `stratum+tcp://127.0.0.1:${second.port}`],
      account: 'fo',
      hashrate: 400_000,
      apis: false,
      backoffMinMs: 50,
      backoffMaxMs: 200,
    });
    await first.until(() => farm.miners.every((m) => m.stats.accepted >= 1), 20_000);
    await first.close();
    await second.until(() => farm.miners.every((m) => second.accepted(m.worker).length >= 1), 20_000);
    for (const m of farm.miners) expect(m.stats.currentPool).toBe(`stratum+tcp://127.0.0.1:${second.port}`);
    const before = second.sessions.length;
    farm.setFault('whatsminer-1', { kind: 'disconnect' });
    await second.until(() => second.sessions.length > before, 10_000);
    await second.until(() => farm.miner('whatsminer-1')!.stats.currentPool !== null, 10_000);
  });

  it('garbage lines reach the pool as unparseable lines; stall stops submitting until cleared', async () => {
    const pool = await endpoint();
    const farm = await startFarm({
      miners: 1,
      makes: ['avalon'],
      pools: [`stratum+tcp://127.0.0.1:${pool.port}`],
      hashrate: 400_000,
      apis: false,
    });
    await pool.until(() => pool.accepted().length >= 1, 20_000);
    farm.setFault('all', { kind: 'garbage' });
    await pool.until(() => pool.badLines.length >= 3, 5_000);
    farm.setFault('all', { kind: 'stall' });
    await new Promise((r) => setTimeout(r, 100)); // let an in-flight submit land
    const n = pool.shares.length;
    await new Promise((r) => setTimeout(r, 600));
    expect(pool.shares.length).toBe(n);
    farm.setFault('all', { kind: 'none' });
    await pool.until(() => pool.shares.length > n, 20_000);
  });

  it('honours set_extranonce, set_difficulty, client.get_version and client.reconnect', async () => {
    const a = await endpoint();
    const b = await endpoint();
    const farm = await startFarm({
      miners: 1,
      makes: ['braiins'],
      pools: [`stratum+tcp://127.0.0.1:${a.port}`],
      account: 'x',
      hashrate: 400_000,
      apis: false,
    });
    const m = farm.miners[0]!;
    await a.until(() => m.stats.accepted >= 1, 20_000);
    const s = a.sessions[0]!;
    a.setExtranonce(s, 'deadbeef');
    a.setDifficulty(s, D / 2);
    await a.until(() => m.stats.difficulty === D / 2, 5_000);
    const after = a.shares.length;
    await a.until(() => a.shares.length >= after + 3 && m.stats.accepted >= 4, 20_000);
    expect(a.rejected()).toEqual([]);
    a.send(s, JSON.stringify({ id: 'gv', method: 'client.get_version', params: [] }));
    await a.until(() => s.responses.includes('bosminer/0.2.0-36c56a9363'), 5_000);
    a.send(s, JSON.stringify({ id: null, method: 'client.reconnect', params: ['127.0.0.1', b.port, 0] }));
    await b.until(() => b.accepted('x.braiins-1').length >= 1, 20_000);
    expect(m.stats.currentPool).toBe(`stratum+tcp://127.0.0.1:${b.port}`);
  });

  it('a share difficulty out of reach for CPU work is skipped, not searched or faked', async () => {
    const pool = await endpoint({ difficulty: 1 }); // 4.3e9 hashes per share
    const farm = await startFarm({
      miners: 1,
      makes: ['antminer'],
      pools: [`stratum+tcp://127.0.0.1:${pool.port}`],
      hashrate: 1e12,
      apis: false,
    });
    const m = farm.miners[0]!;
    await pool.until(() => m.stats.searchesGivenUp >= 20, 10_000);
    expect(pool.shares).toEqual([]);
    expect(farm.hasher.totalHashes).toBe(0);
  });
});
