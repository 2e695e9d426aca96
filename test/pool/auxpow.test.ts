import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import {
  bitsToTarget,
  bytesToHex,
  concatBytes,
  hashMeetsTarget,
  hexToBytes,
  parseTx,
  reversed,
  rootFromBranch,
  serializeHeader,
  sha256d,
  targetToBytes,
} from '@farmhand/core/bitcoin';
import { hex32, stratumPrevhashToHeader } from '@farmhand/core/stratum';
import { FrameDecoder } from '@farmhand/core/uplink';
import { FakeBitcoind } from '../../pool/src/fake-bitcoind/index.js';
import { REGTEST_TEMPLATE_108 } from '../../pool/src/fake-bitcoind/regtest-template.js';
import {
  Jobmaster,
  decodeJmMessage,
  encodeJmMessage,
  parseJobmasterConfig,
  type JobMessage,
} from '../../pool/src/jobmaster/index.js';
import type { AuxBlockEvent } from '../../pool/src/jobmaster/aux-chains.js';
import { TestAuxChain } from './aux-chain-rpc.js';

const log = pino({ level: 'silent' });
const PAYOUT = 'bcrt1q0xcqpzrky6eff2g52qdye53xkk9jxkvrl4xfg5';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function until(cond: () => boolean, ms = 8000): Promise<void> {
  for (let i = 0; i < ms / 10 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!cond()) throw new Error('condition not met in time');
}

/** A gateway: takes jobs, solves the first one that commits to merged mining, reports the block. */
class SolvingGateway {
  readonly jobs: JobMessage[] = [];
  #s: Socket;
  constructor(port: number) {
    this.#s = connect(port, '127.0.0.1');
    const dec = new FrameDecoder();
    this.#s.on('data', (chunk: Buffer) => {
      for (const f of dec.push(chunk)) {
        if (!f.ok) continue;
        const m = decodeJmMessage(f.value);
        if (m.ok && m.value.type === 'JOB') this.jobs.push(m.value);
      }
    });
  }
  solve(job: JobMessage, accept?: (hash: Uint8Array) => boolean): string {
    const extranonce = '02'.repeat(job.extranonceSize);
    const coinbase = concatBytes(
      hexToBytes(job.job.coinb1),
      hexToBytes(extranonce),
      hexToBytes(job.job.coinb2),
    );
    const root = rootFromBranch(sha256d(coinbase), job.job.merkleBranch.map(hexToBytes));
    const bits = Number.parseInt(job.job.nbits, 16);
    const target = targetToBytes(bitsToTarget(bits));
    for (let nonce = 0; ; nonce++) {
      const header = serializeHeader({
        version: Number.parseInt(job.job.version, 16),
        prevHash: stratumPrevhashToHeader(job.job.prevhash),
        merkleRoot: root,
        time: Number.parseInt(job.job.ntime, 16),
        bits,
        nonce,
      });
      if (accept ? !accept(sha256d(header)) : !hashMeetsTarget(sha256d(header), target)) continue;
      this.#s.write(
        encodeJmMessage(
          {
            type: 'FOUND_BLOCK',
            jobId: job.job.jobId,
            extranonce,
            ntime: job.job.ntime,
            nonce: hex32(nonce),
            version: job.job.version,
          },
          1,
        ),
      );
      return bytesToHex(reversed(sha256d(header)));
    }
  }
  close(): void {
    this.#s.destroy();
  }
}

describe('merged mining', () => {
  it('two aux chains in one coinbase commitment; a block meeting one chain’s target wins it a valid AuxPoW', async () => {
    const easy = new TestAuxChain(1, '207fffff'); // the same target as the regtest parent: any block wins it
    const hard = new TestAuxChain(98, '1d00ffff'); // out of reach for a regtest block
    const urlEasy = await easy.listen();
    const urlHard = await hard.listen();
    cleanups.push(
      () => easy.close(),
      () => hard.close(),
    );
    const node = new FakeBitcoind({ longPollMs: 1000 });
    await node.listen();
    cleanups.push(() => node.close());
    const cfg = parseJobmasterConfig({
      bitcoind: [{ url: node.url(), name: 'fake' }],
      payoutAddress: PAYOUT,
      listen: { host: '127.0.0.1', port: 0 },
      pollIntervalMs: 200,
      rpcTimeoutMs: 1000,
      longPollTimeoutMs: 1500,
      logLevel: 'silent',
      auxChains: [
        { name: 'easycoin', url: urlEasy, address: 'easy-address' },
        { name: 'hardcoin', url: urlHard, address: 'hard-address' },
      ],
    });
    if (!cfg.ok) throw new Error(cfg.error.message);
    const jm = new Jobmaster(cfg.value, log);
    const aux: AuxBlockEvent[] = [];
    jm.on('auxblock', (e: AuxBlockEvent) => aux.push(e));
    const { port } = await jm.start();
    cleanups.push(() => jm.stop());
    const gw = new SolvingGateway(port);
    cleanups.push(() => gw.close());

    // A job whose coinbase commits to both chains' current blocks.
    const committing = () => gw.jobs.find((j) => j.job.coinb1.includes('fabe6d6d'));
    await until(() => committing() !== undefined);
    const job = committing()!;
    const script = parseTx(hexToBytes(job.job.coinb1 + '00'.repeat(job.extranonceSize) + job.job.coinb2))
      .inputs[0]!.scriptSig;
    const at = bytesToHex(script).indexOf('fabe6d6d') / 2;
    // Two chains → a tree of 2 leaves at least; size and nonce follow the root.
    const size = new DataView(script.buffer, script.byteOffset).getUint32(at + 36, true);
    expect(size).toBeGreaterThanOrEqual(2);

    const easyHash = easy.hash;
    const parentHash = gw.solve(job);
    await until(() => node.acceptedBlocks().length === 1 && aux.length === 1);
    expect(node.acceptedBlocks()[0]!.hash).toBe(parentHash);
    expect(easy.submissions).toEqual([{ hash: easyHash, ok: true }]);
    expect(hard.submissions).toEqual([]); // its target was not met: nothing sent
    expect(aux).toEqual([{ chain: 'easycoin', hash: easyHash, height: 500, accepted: true, result: true }]);
  });

  it('a share that misses the parent target but meets an aux target wins the aux block only', async () => {
    const aux1 = new TestAuxChain(7, '207fffff');
    const url = await aux1.listen();
    cleanups.push(() => aux1.close());
    // A parent chain 65536 times harder than the aux chain.
    const node = new FakeBitcoind({
      longPollMs: 1000,
      template: { ...REGTEST_TEMPLATE_108, bits: '1f00ffff' },
    });
    await node.listen();
    cleanups.push(() => node.close());
    const cfg = parseJobmasterConfig({
      bitcoind: [{ url: node.url(), name: 'fake' }],
      payoutAddress: PAYOUT,
      listen: { host: '127.0.0.1', port: 0 },
      pollIntervalMs: 200,
      rpcTimeoutMs: 1000,
      longPollTimeoutMs: 1500,
      logLevel: 'silent',
      auxChains: [{ name: 'auxcoin', url, address: 'aux-address' }],
    });
    if (!cfg.ok) throw new Error(cfg.error.message);
    const jm = new Jobmaster(cfg.value, log);
    const aux: AuxBlockEvent[] = [];
    jm.on('auxblock', (e: AuxBlockEvent) => aux.push(e));
    const { port } = await jm.start();
    cleanups.push(() => jm.stop());
    const gw = new SolvingGateway(port);
    cleanups.push(() => gw.close());
    await until(() => gw.jobs.some((j) => j.auxTarget !== undefined));
    const job = gw.jobs.find((j) => j.auxTarget !== undefined)!;
    // The JOB tells the gateway which shares are worth reporting.
    expect(job.auxTarget).toBe('7fffff' + '0'.repeat(58));
    const parentTarget = targetToBytes(bitsToTarget(0x1f00ffff));
    const auxTarget = targetToBytes(BigInt('0x' + job.auxTarget!));
    const auxHash = aux1.hash;
    gw.solve(job, (h) => hashMeetsTarget(h, auxTarget) && !hashMeetsTarget(h, parentTarget));
    await until(() => aux.length === 1);
    expect(aux[0]).toMatchObject({ chain: 'auxcoin', hash: auxHash, accepted: true });
    expect(aux1.submissions).toEqual([{ hash: auxHash, ok: true }]);
    expect(node.acceptedBlocks()).toEqual([]);
  });
});
