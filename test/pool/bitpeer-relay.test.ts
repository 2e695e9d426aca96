import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { bytesToHex, parseBlock, sha256d, txid, wtxid } from '@farmhand/core/bitcoin';
import { InvType, completeReconstruction, serializeBlock, startReconstruction } from '@farmhand/core/p2p';
import { FrameDecoder } from '@farmhand/core/uplink';
import { BlockFrame, MAX_BLOCK_FRAME, blockFrame } from '../../pool/src/blockmaster/wire.js';
import { BLOCK108, HASH108, HEADER108, TestNode, startBitpeer, until } from './bitpeer-node.js';

// bitpeer as a block relay: our blocks out to its peers (compact, header, whole), and the bodies of new
// tips in to blockmasters.

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('bitpeer block relay', () => {
  it('relays a block handed over by a blockmaster: cmpctblock to a compact peer that rebuilds it, headers then block to another', async () => {
    const compactPeer = new TestNode('regtest', { sendCmpct: true });
    const headersPeer = new TestNode('regtest', { sendHeaders: true });
    const { port } = await startBitpeer(cleanups, [compactPeer, headersPeer], {
      listen: { host: '127.0.0.1', port: 0 },
    });
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
    const { port, bitpeer } = await startBitpeer(cleanups, [node], {
      listen: { host: '127.0.0.1', port: 0 },
    });
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
    const { bitpeer } = await startBitpeer(cleanups, [first, second], { pushFullBlocks: 1 });
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
});
