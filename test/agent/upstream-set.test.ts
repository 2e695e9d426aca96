import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { ShareStore } from '../../agent/src/store/index.js';
import {
  Backoff,
  type NewShareRecord,
  StratumUpstream,
  UplinkClient,
  UpstreamSet,
  parseUpstreamUrl,
  type ShareAck,
  type StratumUrl,
  type UplinkUrl,
  type UpstreamWork,
} from '../../agent/src/upstream/index.js';
import { mineShare, startStratumPool } from '../support/stratum-pool.js';
import { UplinkPeer, testJobMessage, waitFor } from '../support/uplink-peer.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const logger = pino({ level: 'silent' });
const url = <T>(text: string): T => {
  const r = parseUpstreamUrl(text);
  if (!r.ok) throw new Error(r.error.message);
  return r.value as T;
};

async function startPeer(port = 0) {
  const peer = new UplinkPeer({ tokens: { 'farm-7': 'tok' } }, testJobMessage(0x1f, true, 1e-9));
  const p = await peer.listen(port);
  cleanups.push(() => peer.close());
  return { peer, port: p };
}

describe('UpstreamSet', () => {
  it('fails over from a dead uplink to the plain pool and back once the gateway is stable again', async () => {
    const first = await startPeer();
    const port = first.port;
    let peer = first.peer;
    const pool = await startStratumPool();
    cleanups.push(() => pool.close());
    const gw = new UplinkClient({
      name: 'gw',
      url: url<UplinkUrl>(`farmhand+tcp://farm-7:tok@127.0.0.1:${port}`),
      logger,
      backoff: new Backoff(20, 100),
      batchDelayMs: 10,
    });
    const plain = new StratumUpstream({
      name: 'pool',
      url: url<StratumUrl>(`stratum+tcp://acme@127.0.0.1:${pool.port}`),
      logger,
      backoff: new Backoff(20, 100),
    });
    const set = new UpstreamSet([gw, plain], { logger, failbackAfterMs: 300 });
    cleanups.push(() => set.close());
    const dir = mkdtempSync(join(tmpdir(), 'fh-set-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const opened = ShareStore.open(join(dir, 'agent.db'));
    if (!opened.ok) throw new Error(opened.error.message);
    const store = opened.value;
    cleanups.push(() => store.close());
    // The agent's wiring: replay the store when told to, delete what an upstream decided.
    set.on('replay', () => set.submitShares(store.pending(10_000)));
    set.on('ack', (a: ShareAck[]) => store.ack(a.map((x) => x.seq)));
    const switches: (string | null)[] = [];
    const acks: ShareAck[] = [];
    let work: UpstreamWork | null = null;
    set.on('switch', (s: { to: string | null }) => switches.push(s.to));
    set.on('work', (w: UpstreamWork) => (work = w));
    set.on('ack', (a: ShareAck[]) => acks.push(...a));
    set.start();
    await waitFor(
      () => set.active?.name === 'gw' && plain.state().connected,
      'gateway active, pool standing by',
    );
    expect(set.list().map((u) => [u.name, u.active, u.state.connected])).toEqual([
      ['gw', true, true],
      ['pool', false, true],
    ]);
    // Whichever answered first was active until the gateway had been up for the fail-back delay.
    expect(switches.at(-1)).toBe('gw');
    switches.length = 0;

    let n = 0;
    const submit = (w: UpstreamWork, difficulty: number): number => {
      const en2 = `0001${(++n).toString(16).padStart(w.extranonce2Size * 2 - 4, '0')}`;
      const mined = mineShare(w, en2, difficulty);
      const r: NewShareRecord = {
        account: 'acme',
        worker: 'rig1',
        jobId: w.job.jobId,
        ...mined,
        difficulty,
        block: false,
        at: 0,
        ...(w.upstream ? { upstream: w.upstream } : {}),
      };
      const seq = store.append(r);
      if (!seq.ok) throw new Error(seq.error.message);
      set.submitShares(store.pending(10_000).filter((x) => x.seq === seq.value));
      return seq.value;
    };
    const onGw = submit(work!, 1e-9);
    await waitFor(() => acks.some((a) => a.seq === onGw && a.accepted), 'share acked by the gateway');
    expect(peer.credited.size).toBe(1);
    expect(work!.upstream).toBe('gw');

    // Three more reach the gateway but their ACKs never come back; then the gateway dies for good.
    peer.holdAcks = true;
    const held = [submit(work!, 1e-9), submit(work!, 1e-9), submit(work!, 1e-9)];
    await waitFor(() => peer.recordsReceived === 4, 'held shares delivered');
    await peer.close();
    await waitFor(
      () => set.active?.name === 'pool' && (work as UpstreamWork | null)?.extranonce2Size === 4,
      'failover',
    );
    const onPool = submit(work!, 1 / 65536);
    await waitFor(() => acks.some((a) => a.seq === onPool && a.accepted), 'share acked by the pool');
    expect(pool.accepted('acme.rig1')).toHaveLength(1);
    // The gateway's shares stayed in the store: the pool cannot credit them, so they were not sent.
    expect(pool.shares).toHaveLength(1);
    expect(store.pending(100).map((r) => r.seq)).toEqual(held);

    // The gateway comes back on the same port; after 300 ms of health the set fails back.
    ({ peer } = await startPeer(port));
    await waitFor(() => set.active?.name === 'gw', 'fail-back', 10_000);
    expect(work!.extranonce1).toBe('a1b2c3d4');
    const back = submit(work!, 1e-9);
    await waitFor(() => acks.some((a) => a.seq === back && a.accepted), 'share acked after fail-back');
    // The new gateway process got the three held shares replayed, then the new one.
    await waitFor(() => store.depth === 0, 'store drained');
    expect([...peer.credited.values()].map((c) => c.seq).sort((a, b) => a - b)).toEqual([...held, back]);
    expect(switches).toEqual(['pool', 'gw']);
  });

  it('disable, enable and switch by name', async () => {
    const { port } = await startPeer();
    const pool = await startStratumPool();
    cleanups.push(() => pool.close());
    const gw = new UplinkClient({
      name: 'gw',
      url: url<UplinkUrl>(`farmhand+tcp://farm-7:tok@127.0.0.1:${port}`),
      logger,
      backoff: new Backoff(20, 100),
    });
    const plain = new StratumUpstream({
      name: 'pool',
      url: url<StratumUrl>(`stratum+tcp://acme@127.0.0.1:${pool.port}`),
      logger,
      backoff: new Backoff(20, 100),
    });
    const set = new UpstreamSet([gw, plain], { logger, failbackAfterMs: 60_000 });
    cleanups.push(() => set.close());
    const ups: string[] = [];
    set.on('up', (name: string) => ups.push(name));
    set.start();
    await waitFor(() => gw.state().connected && plain.state().connected && set.active !== null, 'both up');
    expect(set.switchTo('pool')).toBe(true);
    expect(set.active?.name).toBe('pool');
    expect(set.switchTo('gw')).toBe(true);
    expect(set.active?.name).toBe('gw');
    expect(await set.disable('gw')).toBe(true);
    expect(set.active?.name).toBe('pool');
    expect(set.list().find((u) => u.name === 'gw')).toMatchObject({ enabled: false, active: false });
    expect(set.enable('gw')).toBe(true);
    await waitFor(() => gw.state().connected, 'gw reconnected');
    expect(set.active?.name).toBe('pool'); // the long fail-back delay keeps the pool for now
    expect(set.switchTo('nope')).toBe(false);
    expect(ups.at(-1)).toBe('pool');
  });
});
