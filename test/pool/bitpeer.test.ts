import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { bytesToHex, hexToBytes, parseBlock, reversed, sha256d, txid, wtxid } from '@farmhand/core/bitcoin';
import {
  InvType,
  NETWORK_MAGIC,
  completeReconstruction,
  encodeEnvelope,
  serializeBlock,
  startReconstruction,
} from '@farmhand/core/p2p';
import { Bitpeer, parseBitpeerConfig, type BitpeerConfig } from '../../pool/src/bitpeer/index.js';
import { FakeBitcoind } from '../../pool/src/fake-bitcoind/index.js';
import { Jobmaster, parseJobmasterConfig } from '../../pool/src/jobmaster/index.js';
import type { JobEntry } from '../../pool/src/jobmaster/job-table.js';
import { BlockFrame, MAX_BLOCK_FRAME, blockFrame } from '../../pool/src/blockmaster/wire.js';
import { FrameDecoder } from '@farmhand/core/uplink';
import { readFixture, readFixtureJson } from '../support/fixtures.js';
import { TestJobmaster, TestNode } from './bitpeer-node.js';

const log = pino({ level: 'silent' });
const BLOCK108 = hexToBytes(readFixture('bitcoin/regtest-core-v31/block-height108.hex').trim());
const HEADER108 = new Uint8Array(BLOCK108.subarray(0, 80));
const HASH107 = '50641d090f6ab7d5d049e34857266a6c2845c84f27a61270a5ee98a66c9b9d58';
const HASH108 = '434d09bbaaf581fedfff03cc3de195744edd2c7a4c320ed25d2af2d96322aac8';
const TIP107 = { hash: HASH107, height: 107, bits: '207fffff', time: 1795568800 };

const mainnet = readFixtureJson<{ blocks: { hash: string; hex: string }[] }>(
  'bitcoin/blocks-real.json',
).blocks.find((b) => b.hash.startsWith('000000000000000000143a2c'))!;
const HEADER542213 = new Uint8Array(hexToBytes(mainnet.hex).subarray(0, 80));

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(
  nodes: TestNode[],
  extra: Record<string, unknown> = {},
  jobmasters = 1,
): Promise<{ bitpeer: Bitpeer; jms: TestJobmaster[]; config: BitpeerConfig; port?: number }> {
  const jms: TestJobmaster[] = [];
  for (let i = 0; i < jobmasters; i++) {
    const jm = new TestJobmaster();
    await jm.listen();
    jms.push(jm);
    cleanups.push(() => jm.close());
  }
  for (const n of nodes) {
    await n.listen();
    cleanups.push(() => n.close());
  }
  const cfg = parseBitpeerConfig({
    network: nodes[0]?.network ?? 'regtest',
    peers: nodes.map((n) => `127.0.0.1:${n.port}`),
    tip: TIP107,
    jobmasters: jms.map((j) => `127.0.0.1:${j.port}`),
    reconnectMs: 60_000,
    logLevel: 'silent',
    ...extra,
  });
  if (!cfg.ok) throw new Error(cfg.error.message);
  const bitpeer = new Bitpeer(cfg.value, log);
  const { port } = await bitpeer.start();
  cleanups.push(() => bitpeer.stop());
  await until(() => jms.every((j) => j.clients === 1));
  return { bitpeer, jms, config: cfg.value, ...(port !== undefined ? { port } : {}) };
}

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!cond()) throw new Error('condition not met in time');
}

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
    await setup([node]);
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
    const { jms, bitpeer } = await setup([node], {}, 2);
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
    const { jms } = await setup([node]);
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
    const { jms, bitpeer } = await setup([liar, honest], {
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
    await setup([a, b]);
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
    await setup([node], { maxUnconnecting: 2 });
    await node.waitFor('getheaders');
    const closed = node.waitClosed();
    for (let i = 0; i < 3; i++) node.send({ type: 'headers', headers: [HEADER542213] });
    await closed;
    expect(node.closes).toBe(1);
  });

  it('relays a block handed over by a blockmaster: cmpctblock to a compact peer that rebuilds it, headers then block to another', async () => {
    const compactPeer = new TestNode('regtest', { sendCmpct: true });
    const headersPeer = new TestNode('regtest', { sendHeaders: true });
    const { port } = await setup([compactPeer, headersPeer], { listen: { host: '127.0.0.1', port: 0 } });
    await compactPeer.waitFor('getheaders');
    await headersPeer.waitFor('getheaders');
    // A blockmaster hands over block 108.
    const bm = connect({ host: '127.0.0.1', port: port! });
    cleanups.push(() => void bm.destroy());
    await new Promise<void>((r) => bm.once('connect', () => r()));
    bm.write(blockFrame(BlockFrame.SUBMIT_BLOCK, 1, BLOCK108));

    // The compact peer holds all but the last transaction in its mempool.
    const cmpct = await compactPeer.waitFor('cmpctblock');
    expect(bytesToHex(cmpct.header)).toBe(bytesToHex(HEADER108));
    const block = parseBlock(BLOCK108);
    const last = block.transactions.length - 1;
    const mempool = block.transactions.slice(1, last).map((tx) => ({ hash: wtxid(tx), tx }));
    const partial = startReconstruction(cmpct, mempool);
    if (!partial.ok) throw new Error(partial.error.message);
    expect(partial.value.missing).toEqual([last]);
    compactPeer.send({ type: 'getblocktxn', blockHash: sha256d(HEADER108), indexes: partial.value.missing });
    const txn = await compactPeer.waitFor('blocktxn');
    expect(bytesToHex(txid(txn.txs[0]!))).toBe(bytesToHex(txid(block.transactions[last]!)));
    const full = completeReconstruction(partial.value, txn.txs);
    if (!full.ok) throw new Error(full.error.message);
    expect(bytesToHex(serializeBlock(full.value))).toBe(bytesToHex(BLOCK108));

    // The other peer gets the header, asks for the block, and gets it whole.
    const hdrs = await headersPeer.waitFor('headers', (h) => h.headers.length === 1);
    expect(bytesToHex(hdrs.headers[0]!)).toBe(bytesToHex(HEADER108));
    headersPeer.send({ type: 'getdata', items: [{ type: InvType.WITNESS_BLOCK, hash: sha256d(HEADER108) }] });
    const got = await headersPeer.waitFor('block');
    expect(bytesToHex(got.raw)).toBe(bytesToHex(BLOCK108));
    // Something it never had is notfound.
    headersPeer.send({ type: 'getdata', items: [{ type: InvType.BLOCK, hash: new Uint8Array(32) }] });
    expect((await headersPeer.waitFor('notfound')).items).toHaveLength(1);
  });

  it('fetches the body of a new tip and hands it to connected blockmasters (UPDATE_BLOCK)', async () => {
    const node = new TestNode('regtest');
    const { port, bitpeer } = await setup([node], { listen: { host: '127.0.0.1', port: 0 } });
    await node.waitFor('getheaders');
    const bm = connect({ host: '127.0.0.1', port: port! });
    cleanups.push(() => void bm.destroy());
    const dec = new FrameDecoder({ maxBodyBytes: MAX_BLOCK_FRAME });
    const update = new Promise<Uint8Array>((resolve) =>
      bm.on('data', (c: Buffer) => {
        for (const f of dec.push(c))
          if (f.ok && f.value.type === BlockFrame.UPDATE_BLOCK) resolve(f.value.body);
      }),
    );
    await until(() => bitpeer.blockmastersConnected === 1);
    node.send({ type: 'headers', headers: [HEADER108] });
    const gd = await node.waitFor('getdata');
    expect(gd.items.map((i) => [i.type, bytesToHex(i.hash)])).toEqual([
      [InvType.WITNESS_BLOCK, bytesToHex(sha256d(HEADER108))],
    ]);
    node.send({ type: 'block', raw: BLOCK108, block: parseBlock(BLOCK108) });
    expect(bytesToHex(await update)).toBe(bytesToHex(BLOCK108));
  });

  it('pushes the whole block to the first pushFullBlocks plain peers, the header to the rest', async () => {
    const first = new TestNode('regtest', { sendHeaders: true });
    const second = new TestNode('regtest', { sendHeaders: true });
    const { bitpeer } = await setup([first, second], { pushFullBlocks: 1 });
    await first.waitFor('getheaders');
    await second.waitFor('getheaders');
    const r = bitpeer.broadcastBlock(BLOCK108);
    expect(r).toEqual({ hash: HASH108, peers: 2 });
    const got = await Promise.race([
      first.waitFor('block').then((b) => ['first', b] as const),
      second.waitFor('block').then((b) => ['second', b] as const),
    ]);
    expect(bytesToHex(got[1].raw)).toBe(bytesToHex(BLOCK108));
    const other = got[0] === 'first' ? second : first;
    const hdrs = await other.waitFor('headers', (h) => h.headers.length === 1);
    expect(bytesToHex(hdrs.headers[0]!)).toBe(bytesToHex(HEADER108));
    expect(other.received.some((m) => m.type === 'block')).toBe(false);
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
});
