import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { bytesToHex, parseBlock, reversed } from '@farmhand/core/bitcoin';
import { NETWORK_MAGIC, encodeEnvelope } from '@farmhand/core/p2p';
import { Bitpeer, parseBitpeerConfig } from '../../pool/src/bitpeer/index.js';
import { FakeBitcoind } from '../../pool/src/fake-bitcoind/index.js';
import { Jobmaster, parseJobmasterConfig } from '../../pool/src/jobmaster/index.js';
import type { JobEntry } from '../../pool/src/jobmaster/job-table.js';
import {
  BLOCK108,
  HASH107,
  HASH108,
  HEADER108,
  HEADER542213,
  TIP107,
  TestJobmaster,
  TestNode,
  mainnet,
  startBitpeer,
  until,
} from './bitpeer-node.js';

const log = pino({ level: 'silent' });

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('bitpeer config', () => {
  it('names the wrong key', () => {
    const r = parseBitpeerConfig({ network: 'regtest', peers: ['nope'], tip: TIP107, jobmasters: [] });
    expect(!r.ok && r.error.message).toMatch(/config\.peers\[0\]/);
    const t = parseBitpeerConfig({ network: 'mainnet', peers: ['127.0.0.1:8333'], jobmasters: [] });
    expect(!t.ok && t.error.message).toMatch(/config\.tip/);
    const n = parseBitpeerConfig({
      network: 'bitcoin',
      peers: ['127.0.0.1:8333'],
      tip: TIP107,
      jobmasters: [],
    });
    expect(!n.ok && n.error.message).toMatch(/config\.network/);
  });
});

describe('bitpeer against an in-test node', () => {
  it('handshakes, asks for headers and compact blocks, and answers ping', async () => {
    const node = new TestNode('regtest');
    await startBitpeer(cleanups, [node]);
    const v = await node.waitFor('version');
    expect(v.userAgent).toMatch(/farmhand-bitpeer/);
    expect(v.relay).toBe(false);
    expect(v.services & 8n).toBe(8n);
    await node.waitFor('verack');
    await node.waitFor('sendheaders');
    const sc = await node.waitFor('sendcmpct');
    expect(sc).toMatchObject({ highBandwidth: true, version: 2n });
    const gh = await node.waitFor('getheaders');
    expect(bytesToHex(reversed(gh.locator[0]!))).toBe(HASH107);
    node.send({ type: 'ping', nonce: 99n });
    const pong = await node.waitFor('pong');
    expect(pong.nonce).toBe(99n);
  });

  it('a header announcement becomes NEW_TIP at every jobmaster', async () => {
    const node = new TestNode('regtest');
    const { jms, bitpeer } = await startBitpeer(cleanups, [node], {}, 2);
    await node.waitFor('getheaders');
    const tips = jms.map((j) => j.nextTip());
    node.send({ type: 'headers', headers: [HEADER108] });
    for (const t of await Promise.all(tips))
      expect(t).toMatchObject({ type: 'NEW_TIP', height: 108, prevhash: HASH108, bits: '207fffff' });
    expect(bitpeer.chain.best.height).toBe(108);
    expect(jms.every((j) => j.hellos.includes('bitpeer'))).toBe(true);
    // The same header again (from this or another peer) is not news.
    node.send({ type: 'headers', headers: [HEADER108] });
    node.send({ type: 'ping', nonce: 1n });
    await node.waitFor('pong', (p) => p.nonce === 1n);
    expect(jms[0]!.tips).toHaveLength(1);
  });

  it('a compact block announcement (header first) also makes NEW_TIP', async () => {
    const node = new TestNode('regtest');
    const { jms } = await startBitpeer(cleanups, [node]);
    await node.waitFor('getheaders');
    const tip = jms[0]!.nextTip();
    const block = parseBlock(BLOCK108);
    node.send({
      type: 'cmpctblock',
      header: HEADER108,
      nonce: 5n,
      shortIds: [],
      prefilled: [{ index: 0, tx: block.transactions[0]! }],
    });
    expect(await tip).toMatchObject({ height: 108, prevhash: HASH108 });
  });

  it('drops a peer that sends a header with bad proof of work, and tells no jobmaster', async () => {
    const liar = new TestNode('mainnet');
    const honest = new TestNode('mainnet');
    const parent = bytesToHex(reversed(HEADER542213.subarray(4, 36)));
    const bits = new DataView(HEADER542213.buffer).getUint32(72, true).toString(16);
    const { jms, bitpeer } = await startBitpeer(cleanups, [liar, honest], {
      tip: { hash: parent, height: 542212, bits, time: 0 },
    });
    await liar.waitFor('getheaders');
    await honest.waitFor('getheaders');
    const forged = HEADER542213.slice();
    forged[76]! ^= 1; // another nonce: the hash no longer meets nBits
    const closed = liar.waitClosed();
    liar.send({ type: 'headers', headers: [forged] });
    await closed;
    expect(jms[0]!.tips).toHaveLength(0);
    expect(bitpeer.chain.best.height).toBe(542212);
    // The real header from the honest peer goes through.
    const tip = jms[0]!.nextTip();
    honest.send({ type: 'headers', headers: [HEADER542213] });
    expect(await tip).toMatchObject({ height: 542213, prevhash: mainnet.hash });
  });

  it('drops a peer that sends garbage, or a valid envelope of another network', async () => {
    const a = new TestNode('regtest');
    const b = new TestNode('regtest');
    await startBitpeer(cleanups, [a, b]);
    await a.waitFor('getheaders');
    await b.waitFor('getheaders');
    const ca = a.waitClosed();
    a.sendRaw(Uint8Array.from({ length: 64 }, (_, i) => (i * 37) & 0xff));
    await ca;
    const cb = b.waitClosed();
    b.sendRaw(encodeEnvelope(NETWORK_MAGIC.mainnet, 'ping', new Uint8Array(8)));
    await cb;
    expect(a.connected || b.connected).toBe(false);
  });

  it('drops a peer whose headers keep failing to connect', async () => {
    const node = new TestNode('mainnet');
    await startBitpeer(cleanups, [node], { maxUnconnecting: 2 });
    await node.waitFor('getheaders');
    const closed = node.waitClosed();
    for (let i = 0; i < 3; i++) node.send({ type: 'headers', headers: [HEADER542213] });
    await closed;
    expect(node.closes).toBe(1);
  });

  it('reloads its peer list: a removed node is dropped, an added one connected', async () => {
    const a = new TestNode('regtest');
    const b = new TestNode('regtest');
    await a.listen();
    await b.listen();
    cleanups.push(
      () => a.close(),
      () => b.close(),
    );
    const dir = mkdtempSync(join(tmpdir(), 'bitpeer-'));
    const file = join(dir, 'peers.json');
    writeFileSync(file, JSON.stringify({ peers: [`127.0.0.1:${a.port}`] }));
    const jm = new TestJobmaster();
    await jm.listen();
    cleanups.push(() => jm.close());
    const cfg = parseBitpeerConfig({
      network: 'regtest',
      peersFile: file,
      tip: TIP107,
      jobmasters: [`127.0.0.1:${jm.port}`],
      logLevel: 'silent',
    });
    if (!cfg.ok) throw new Error(cfg.error.message);
    const bitpeer = new Bitpeer(cfg.value, log);
    await bitpeer.start();
    cleanups.push(() => bitpeer.stop());
    await a.waitFor('getheaders');
    expect(b.connections).toBe(0);
    writeFileSync(file, JSON.stringify({ peers: [`127.0.0.1:${b.port}`] }));
    const aClosed = a.waitClosed();
    bitpeer.reload();
    await aClosed;
    await b.waitFor('getheaders');
    expect(bitpeer.peers().map((p) => p.name)).toEqual([`127.0.0.1:${b.port}`]);
  });

  it('farmhand-pool bitpeer re-reads its peers file on SIGHUP without restarting', async () => {
    const a = new TestNode('regtest');
    const b = new TestNode('regtest');
    await a.listen();
    await b.listen();
    cleanups.push(
      () => a.close(),
      () => b.close(),
    );
    const jm = new TestJobmaster();
    await jm.listen();
    cleanups.push(() => jm.close());
    const dir = mkdtempSync(join(tmpdir(), 'bitpeer-cli-'));
    const peers = join(dir, 'peers.json');
    writeFileSync(peers, JSON.stringify({ peers: [`127.0.0.1:${a.port}`] }));
    const config = join(dir, 'bitpeer.json');
    writeFileSync(
      config,
      JSON.stringify({
        network: 'regtest',
        peersFile: peers,
        tip: TIP107,
        jobmasters: [`127.0.0.1:${jm.port}`],
        logLevel: 'silent',
      }),
    );
    const bin = fileURLToPath(new URL('../../pool/bin/farmhand-pool.js', import.meta.url));
    const child = spawn(process.execPath, [bin, 'bitpeer', '--config', config], { stdio: 'ignore' });
    cleanups.push(() => void child.kill('SIGTERM'));
    await a.waitFor('getheaders');
    writeFileSync(peers, JSON.stringify({ peers: [`127.0.0.1:${b.port}`] }));
    const aClosed = a.waitClosed();
    child.kill('SIGHUP');
    await aClosed;
    await b.waitFor('getheaders');
    // Same process: the jobmaster link was never re-made, and the tip still flows.
    expect(child.exitCode).toBeNull();
    expect(jm.hellos).toEqual(['bitpeer']);
    const tip = jm.nextTip();
    b.send({ type: 'headers', headers: [HEADER108] });
    expect(await tip).toMatchObject({ height: 108, prevhash: HASH108 });
  });

  it('end to end: a header from the node makes the real jobmaster send an empty-block job on it', async () => {
    const fake = new FakeBitcoind({ longPollMs: 1000 });
    await fake.listen();
    cleanups.push(() => fake.close());
    const jmCfg = parseJobmasterConfig({
      bitcoind: [{ url: fake.url(), name: 'fake' }],
      payoutAddress: 'bcrt1q0xcqpzrky6eff2g52qdye53xkk9jxkvrl4xfg5',
      listen: { host: '127.0.0.1', port: 0 },
      pollIntervalMs: 100,
      rpcTimeoutMs: 1000,
      logLevel: 'silent',
    });
    if (!jmCfg.ok) throw new Error(jmCfg.error.message);
    const jm = new Jobmaster(jmCfg.value, log);
    const { port: jmPort } = await jm.start();
    cleanups.push(() => jm.stop());
    const jobs: JobEntry[] = [];
    jm.on('job', (j: JobEntry) => jobs.push(j));
    await until(() => jobs.length > 0);
    const node = new TestNode('regtest');
    await node.listen();
    cleanups.push(() => node.close());
    const cfg = parseBitpeerConfig({
      network: 'regtest',
      peers: [`127.0.0.1:${node.port}`],
      tip: TIP107,
      jobmasters: [`127.0.0.1:${jmPort}`],
      logLevel: 'silent',
    });
    if (!cfg.ok) throw new Error(cfg.error.message);
    const bitpeer = new Bitpeer(cfg.value, log);
    await bitpeer.start();
    cleanups.push(() => bitpeer.stop());
    await node.waitFor('getheaders');
    await until(() => bitpeer.jobmastersConnected === 1);
    node.send({ type: 'headers', headers: [HEADER108] });
    await until(() => jobs.some((j) => j.empty));
    const empty = jobs.find((j) => j.empty)!;
    expect(empty.height).toBe(109);
    expect(empty.template.previousblockhash).toBe(HASH108);
    expect(empty.job.cleanJobs).toBe(true);
    // The node itself is still on 107: the empty job came before any template for 109.
    expect(fake.chain.tip.height).toBe(107);
  });

  it('without a configured tip, starts from the best block of a node (getbestblockhash + getblockheader)', async () => {
    const rpc = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const { id, method } = JSON.parse(body) as { id: number; method: string };
        const result =
          method === 'getbestblockhash'
            ? HASH107
            : method === 'getblockheader'
              ? { hash: HASH107, height: 107, bits: '207fffff', time: 1795568800, confirmations: 1 }
              : null;
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ id, result, error: null }));
      });
    });
    await new Promise<void>((r) => rpc.listen(0, '127.0.0.1', () => r()));
    cleanups.push(() => new Promise<void>((r) => rpc.close(() => r())));
    const node = new TestNode('regtest');
    await node.listen();
    cleanups.push(() => node.close());
    const jm = new TestJobmaster();
    await jm.listen();
    cleanups.push(() => jm.close());
    const cfg = parseBitpeerConfig({
      network: 'regtest',
      peers: [`127.0.0.1:${node.port}`],
      bitcoind: `http://u:p@127.0.0.1:${(rpc.address() as { port: number }).port}`,
      jobmasters: [`127.0.0.1:${jm.port}`],
      logLevel: 'silent',
    });
    if (!cfg.ok) throw new Error(cfg.error.message);
    const bitpeer = new Bitpeer(cfg.value, log);
    await bitpeer.start();
    cleanups.push(() => bitpeer.stop());
    expect(bitpeer.chain.best).toEqual({ hash: HASH107, height: 107, bits: 0x207fffff, time: 1795568800 });
    const gh = await node.waitFor('getheaders');
    expect(bytesToHex(reversed(gh.locator[0]!))).toBe(HASH107);
    await until(() => jm.clients === 1);
    const tip = jm.nextTip();
    node.send({ type: 'headers', headers: [HEADER108] });
    expect(await tip).toMatchObject({ height: 108, prevhash: HASH108 });
  });

  it('refuses to start when there is no tip and the node does not answer', async () => {
    const cfg = parseBitpeerConfig({
      network: 'regtest',
      peers: ['127.0.0.1:1'],
      bitcoind: 'http://u:p@127.0.0.1:1',
      jobmasters: ['127.0.0.1:1'],
      reconnectMs: 50,
      logLevel: 'silent',
    });
    if (!cfg.ok) throw new Error(cfg.error.message);
    const bitpeer = new Bitpeer(cfg.value, log);
    await expect(bitpeer.start()).rejects.toThrow(/no start tip from the node after 3 tries/);
    await bitpeer.stop();
  });
});
