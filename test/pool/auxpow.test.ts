import { describe, expect, it } from 'vitest';
import {
  bitsToTarget,
  bytesToHex,
  hashMeetsTarget,
  hexToBytes,
  parseTx,
  targetToBytes,
} from '@farmhand/core/bitcoin';
import { REGTEST_TEMPLATE_108 } from '../../pool/src/fake-bitcoind/regtest-template.js';
import type { AuxBlockEvent } from '../../pool/src/jobmaster/aux-chains.js';
import { TestAuxChain } from './aux-chain-rpc.js';
import { JobWatcher, startJobmaster, until, useCleanups } from './pool-harness.js';

const cleanups = useCleanups();

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
    const aux: AuxBlockEvent[] = [];
    const { node, port } = await startJobmaster(cleanups, {
      jobmaster: {
        pollIntervalMs: 200,
        auxChains: [
          { name: 'easycoin', url: urlEasy, address: 'easy-address' },
          { name: 'hardcoin', url: urlHard, address: 'hard-address' },
        ],
      },
      beforeStart: (jm) => jm.on('auxblock', (e: AuxBlockEvent) => aux.push(e)),
    });
    const gw = new JobWatcher(port);
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
    const parentHash = gw.solve(job, '02');
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
    const aux: AuxBlockEvent[] = [];
    const { node, port } = await startJobmaster(cleanups, {
      // A parent chain 65536 times harder than the aux chain.
      node: { template: { ...REGTEST_TEMPLATE_108, bits: '1f00ffff' } },
      jobmaster: { pollIntervalMs: 200, auxChains: [{ name: 'auxcoin', url, address: 'aux-address' }] },
      beforeStart: (jm) => jm.on('auxblock', (e: AuxBlockEvent) => aux.push(e)),
    });
    const gw = new JobWatcher(port);
    cleanups.push(() => gw.close());
    await until(() => gw.jobs.some((j) => j.auxTarget !== undefined));
    const job = gw.jobs.find((j) => j.auxTarget !== undefined)!;
    // The JOB tells the gateway which shares are worth reporting.
    expect(job.auxTarget).toBe('7fffff' + '0'.repeat(58));
    const parentTarget = targetToBytes(bitsToTarget(0x1f00ffff));
    const auxTarget = targetToBytes(BigInt('0x' + job.auxTarget!));
    const auxHash = aux1.hash;
    gw.solve(job, '02', (h) => hashMeetsTarget(h, auxTarget) && !hashMeetsTarget(h, parentTarget));
    await until(() => aux.length === 1);
    expect(aux[0]).toMatchObject({ chain: 'auxcoin', hash: auxHash, accepted: true });
    expect(aux1.submissions).toEqual([{ hash: auxHash, ok: true }]);
    expect(node.acceptedBlocks()).toEqual([]);
  });
});
