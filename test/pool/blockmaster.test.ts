import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes, parseBlock, reversed, sha256d, txid, wtxid } from '@farmhand/core/bitcoin';
import { REGTEST_TEMPLATE_108 } from '../../pool/src/fake-bitcoind/regtest-template.js';
import { Bitpeer, parseBitpeerConfig } from '../../pool/src/bitpeer/index.js';
import { Blockmaster, parseBlockmasterConfig, type RelayedBlock } from '../../pool/src/blockmaster/index.js';
import { BlockFrame, blockFrame } from '../../pool/src/blockmaster/wire.js';
import { readFixture } from '../support/fixtures.js';
import { TestJobmaster, TestNode } from './bitpeer-node.js';
import { JobWatcher, log, startJobmaster, until, useCleanups } from './pool-harness.js';

const cleanups = useCleanups();

/** A local node for a blockmaster: a mempool to answer getrawmempool/getrawtransaction, and submitblock. */
class TestRpcNode {
  readonly submitted: string[] = [];
  #server: HttpServer;
  port = 0;
  constructor(readonly mempool: Map<string, string>) {
    this.#server = createHttpServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const { id, method, params } = JSON.parse(body) as { id: number; method: string; params: unknown[] };
        let result: unknown = null;
        if (method === 'getrawmempool') result = [...this.mempool.keys()];
        else if (method === 'getrawtransaction') result = this.mempool.get(params[0] as string) ?? null;
        else if (method === 'submitblock') this.submitted.push(params[0] as string);
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ id, result, error: null }));
      });
    });
  }
  async listen(): Promise<string> {
    await new Promise<void>((r) => this.#server.listen(0, '127.0.0.1', () => r()));
    this.port = (this.#server.address() as { port: number }).port;
    return `http://u:p@127.0.0.1:${this.port}`;
  }
  async close(): Promise<void> {
    await new Promise<void>((r) => this.#server.close(() => r()));
  }
}

/** A gateway that solves the first job at regtest difficulty and reports the block. */
async function mineOneBlock(port: number): Promise<string> {
  const gw = new JobWatcher(port);
  cleanups.push(() => gw.close());
  await until(() => gw.jobs.length > 0);
  return gw.solve(gw.jobs[0]!, '01');
}

/** Region B: a blockmaster whose local node has `mempool` and takes its submitblock. */
async function regionB(mempool: Map<string, string>) {
  const rpcB = new TestRpcNode(mempool);
  const urlB = await rpcB.listen();
  cleanups.push(() => rpcB.close());
  const cfgB = parseBlockmasterConfig({
    listen: { host: '127.0.0.1', port: 0 },
    bitcoind: urlB,
    logLevel: 'silent',
  });
  if (!cfgB.ok) throw new Error(cfgB.error.message);
  const bmB = new Blockmaster(cfgB.value, log);
  const { port: portB } = await bmB.start();
  cleanups.push(() => bmB.stop());
  return { rpcB, bmB, portB };
}

/** A stand-in bitpeer: `onConnection` writes to each blockmaster that connects. Returns its port. */
async function standInBitpeer(onConnection: (s: Socket) => void): Promise<number> {
  const server = createServer(onConnection);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
  return (server.address() as { port: number }).port;
}

describe('blockmaster config', () => {
  it('names the wrong key', () => {
    const l = parseBlockmasterConfig({ jobmasters: ['127.0.0.1:1'] });
    expect(!l.ok && l.error.message).toMatch(/config\.listen/);
    const p = parseBlockmasterConfig({ listen: { host: '127.0.0.1', port: 0 }, peers: ['nohost'] });
    expect(!p.ok && p.error.message).toMatch(/config\.peers\[0\]/);
    const u = parseBlockmasterConfig({
      listen: { host: '127.0.0.1', port: 0 },
      bitcoind: 'http://127.0.0.1:8332',
    });
    expect(!u.ok && u.error.message).toMatch(/config\.bitcoind/);
    const k = parseBlockmasterConfig({ listen: { host: '127.0.0.1', port: 0 }, blockmaster_url: 'x' });
    expect(!k.ok && k.error.message).toMatch(/unknown key/);
  });
});

describe('blockmaster', () => {
  it('a found block goes jobmaster → blockmaster A → bitpeer (compact to its node) and → blockmaster B (thin, one missing tx fetched) → B’s node', async () => {
    // The pool's node and jobmaster.
    const { node: fake, jm, port: jmPort } = await startJobmaster(cleanups);

    // A bitpeer with one compact-block node behind it.
    const p2pNode = new TestNode('regtest', { sendCmpct: true });
    await p2pNode.listen();
    cleanups.push(() => p2pNode.close());
    const tipSink = new TestJobmaster();
    await tipSink.listen();
    cleanups.push(() => tipSink.close());
    const bpCfg = parseBitpeerConfig({
      network: 'regtest',
      peers: [`127.0.0.1:${p2pNode.port}`],
      tip: { hash: REGTEST_TEMPLATE_108.previousblockhash, height: 107, bits: '207fffff' },
      jobmasters: [`127.0.0.1:${tipSink.port}`],
      listen: { host: '127.0.0.1', port: 0 },
      logLevel: 'silent',
    });
    if (!bpCfg.ok) throw new Error(bpCfg.error.message);
    const bitpeer = new Bitpeer(bpCfg.value, log);
    const { port: bpPort } = await bitpeer.start();
    cleanups.push(() => bitpeer.stop());
    await p2pNode.waitFor('getheaders');

    // Region B: its node's mempool has every template transaction but the last.
    const txs = REGTEST_TEMPLATE_108.transactions;
    const mempoolB = new Map(txs.slice(0, -1).map((t) => [t.txid, t.data]));
    const { rpcB, bmB, portB } = await regionB(mempoolB);
    await until(() => bmB.mempool.size === txs.length - 1);

    // Region A: fed by the jobmaster, relays to the bitpeer and to B.
    const cfgA = parseBlockmasterConfig({
      listen: { host: '127.0.0.1', port: 0 },
      jobmasters: [`127.0.0.1:${jmPort}`],
      bitpeers: [`127.0.0.1:${bpPort}`],
      peers: [`127.0.0.1:${portB}`],
      logLevel: 'silent',
    });
    if (!cfgA.ok) throw new Error(cfgA.error.message);
    const bmA = new Blockmaster(cfgA.value, log);
    await bmA.start();
    cleanups.push(() => bmA.stop());
    await until(() => {
      const l = bmA.links();
      return l.jobmasters === 1 && l.bitpeers === 1 && l.peers === 1;
    });
    await until(() => jm.currentJob() !== undefined);
    const relayedA: RelayedBlock[] = [];
    const relayedB: RelayedBlock[] = [];
    bmA.on('block', (b: RelayedBlock) => relayedA.push(b));
    bmB.on('block', (b: RelayedBlock) => relayedB.push(b));

    const hash = await mineOneBlock(jmPort);

    // The pool's own node got it from the jobmaster.
    await until(() => fake.acceptedBlocks().length === 1);
    expect(fake.acceptedBlocks()[0]!.hash).toBe(hash);
    // A relayed it as it came from the jobmaster.
    await until(() => relayedA.length === 1);
    expect(relayedA[0]).toMatchObject({ hash, origin: 'jobmaster', fetched: 0 });
    // The bitpeer pushed a cmpctblock of it to its node.
    const cmpct = await p2pNode.waitFor('cmpctblock');
    expect(bytesToHex(reversed(sha256d(cmpct.header)))).toBe(hash);
    expect(cmpct.shortIds).toHaveLength(txs.length);
    // B rebuilt it, fetching exactly the one transaction its mempool lacked, and submitted it.
    await until(() => rpcB.submitted.length === 1);
    expect(relayedB[0]).toMatchObject({ hash, origin: 'peer', fetched: 1 });
    const submitted = parseBlock(hexToBytes(rpcB.submitted[0]!));
    expect(bytesToHex(reversed(sha256d(submitted.headerBytes)))).toBe(hash);
    expect(submitted.transactions).toHaveLength(txs.length + 1);
    expect(rpcB.submitted[0]).toBe(fake.acceptedBlocks()[0]!.hex);
  });

  it('a block a bitpeer saw on the network goes thin to B, which rebuilds it from its mempool alone; repeats are ignored', async () => {
    const raw = hexToBytes(readFixture('bitcoin/regtest-core-v31/block-height108.hex').trim());
    const block = parseBlock(raw);
    const { rpcB, bmB, portB } = await regionB(new Map());
    for (const tx of block.transactions.slice(1)) bmB.mempool.add(bytesToHex(reversed(txid(tx))), tx);
    // A stand-in bitpeer that reports the block twice.
    const bpPort = await standInBitpeer((s) => {
      s.write(blockFrame(BlockFrame.UPDATE_BLOCK, 1, raw));
      s.write(blockFrame(BlockFrame.UPDATE_BLOCK, 2, raw));
    });
    const cfgA = parseBlockmasterConfig({
      listen: { host: '127.0.0.1', port: 0 },
      bitpeers: [`127.0.0.1:${bpPort}`],
      peers: [`127.0.0.1:${portB}`],
      logLevel: 'silent',
    });
    if (!cfgA.ok) throw new Error(cfgA.error.message);
    const relayedA: RelayedBlock[] = [];
    const relayedB: RelayedBlock[] = [];
    const bmA = new Blockmaster(cfgA.value, log);
    bmA.on('block', (b: RelayedBlock) => relayedA.push(b));
    bmB.on('block', (b: RelayedBlock) => relayedB.push(b));
    await bmA.start();
    cleanups.push(() => bmA.stop());
    await until(() => rpcB.submitted.length === 1);
    expect(relayedA).toHaveLength(1);
    expect(relayedA[0]!.origin).toBe('p2p');
    expect(relayedB[0]).toMatchObject({ origin: 'peer', fetched: 0 });
    expect(rpcB.submitted[0]).toBe(bytesToHex(raw));
    expect(bmB.mempool.size).toBe(0);
  });

  it('a short-id collision (a wrong mempool transaction) is caught by the merkle root and healed by asking for every transaction', async () => {
    const raw = hexToBytes(readFixture('bitcoin/regtest-core-v31/block-height108.hex').trim());
    const block = parseBlock(raw);
    const { rpcB, bmB, portB } = await regionB(new Map());
    // A real 48-bit collision cannot be made on demand: the mempool answers transaction 2's wtxid with
    // transaction 3's body, which is what a collision looks like to the rebuilder.
    const txs = block.transactions;
    bmB.mempool.entries = function* () {
      for (let i = 1; i < txs.length; i++) yield { hash: wtxid(txs[i]!), tx: i === 2 ? txs[3]! : txs[i]! };
    };
    const bpPort = await standInBitpeer((s) => s.write(blockFrame(BlockFrame.UPDATE_BLOCK, 1, raw)));
    const cfgA = parseBlockmasterConfig({
      listen: { host: '127.0.0.1', port: 0 },
      bitpeers: [`127.0.0.1:${bpPort}`],
      peers: [`127.0.0.1:${portB}`],
      logLevel: 'silent',
    });
    if (!cfgA.ok) throw new Error(cfgA.error.message);
    const relayedB: RelayedBlock[] = [];
    bmB.on('block', (b: RelayedBlock) => relayedB.push(b));
    const bmA = new Blockmaster(cfgA.value, log);
    await bmA.start();
    cleanups.push(() => bmA.stop());
    await until(() => rpcB.submitted.length === 1);
    expect(relayedB[0]).toMatchObject({ origin: 'peer', fetched: txs.length - 1 });
    expect(rpcB.submitted[0]).toBe(bytesToHex(raw));
  });

  it('reloads its relay targets: a removed peer blockmaster is closed, an added one opened', async () => {
    const listeners = await Promise.all(
      [0, 1].map(async () => {
        const accepted: Socket[] = [];
        const srv = createServer((s) => accepted.push(s));
        await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
        cleanups.push(() => {
          for (const s of accepted) s.destroy();
          return new Promise<void>((r) => srv.close(() => r()));
        });
        return { port: (srv.address() as { port: number }).port, accepted };
      }),
    );
    const [x, y] = listeners as [(typeof listeners)[0], (typeof listeners)[0]];
    const cfg = parseBlockmasterConfig({
      listen: { host: '127.0.0.1', port: 0 },
      peers: [`127.0.0.1:${x.port}`],
      reconnectMs: 60_000,
      logLevel: 'silent',
    });
    if (!cfg.ok) throw new Error(cfg.error.message);
    const bm = new Blockmaster(cfg.value, log);
    await bm.start();
    cleanups.push(() => bm.stop());
    await until(() => bm.links().peers === 1 && x.accepted.length === 1);
    const xClosed = new Promise<void>((r) => x.accepted[0]!.once('close', () => r()));
    bm.setLinks({ bitpeers: [], peers: [{ host: '127.0.0.1', port: y.port }] });
    await xClosed;
    await until(() => y.accepted.length === 1 && bm.links().peers === 1);
    // Listing the same peer again keeps its link (no reconnect).
    bm.setLinks({ bitpeers: [], peers: [{ host: '127.0.0.1', port: y.port }] });
    await new Promise((r) => setTimeout(r, 50));
    expect(y.accepted).toHaveLength(1);
    expect(y.accepted[0]!.destroyed).toBe(false);
  });
});
