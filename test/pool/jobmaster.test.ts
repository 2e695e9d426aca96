import { connect, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { pino, type Logger } from 'pino';
import {
  addressToScript,
  bitsToTarget,
  bytesToHex,
  concatBytes,
  hashMeetsTarget,
  hexToBytes,
  reversed,
  rootFromBranch,
  serializeHeader,
  sha256d,
  targetToBytes,
} from '@farmhand/core/bitcoin';
import { assembleFoundBlock, buildJob } from '@farmhand/core/job';
import { hex32, stratumPrevhashToHeader } from '@farmhand/core/stratum';
import { FrameDecoder } from '@farmhand/core/uplink';
import { FakeBitcoind } from '../../pool/src/fake-bitcoind/index.js';
import {
  Jobmaster,
  parseJobmasterConfig,
  decodeJmMessage,
  encodeJmMessage,
  type JmMessage,
  type JobMessage,
  type NewBlockEvent,
} from '../../pool/src/jobmaster/index.js';

const PAYOUT = 'bcrt1q0xcqpzrky6eff2g52qdye53xkk9jxkvrl4xfg5';
const payoutScript = (() => {
  const r = addressToScript(PAYOUT, 'regtest');
  if (!r.ok) throw new Error(r.error.message);
  return r.value.scriptPubKey;
})();

/** A minimal gateway: reads framed messages and lets a test wait for one that matches. */
class TestGateway {
  readonly received: { msg: JmMessage; seq: number }[] = [];
  readonly #socket: Socket;
  #waiters: (() => void)[] = [];

  constructor(port: number) {
    this.#socket = connect(port, '127.0.0.1');
    const decoder = new FrameDecoder();
    this.#socket.on('data', (chunk: Buffer) => {
      for (const f of decoder.push(chunk)) {
        if (!f.ok) throw new Error(f.error.message);
        const m = decodeJmMessage(f.value);
        if (!m.ok) throw new Error(m.error.message);
        this.received.push({ msg: m.value, seq: f.value.seq });
      }
      for (const w of this.#waiters) w();
    });
  }

  send(msg: JmMessage, seq: number): void {
    this.#socket.write(encodeJmMessage(msg, seq));
  }

  sendRaw(bytes: Uint8Array): void {
    this.#socket.write(bytes);
  }

  /** Resolves with the first message (received from index `from` on) that matches. */
  async next<T extends JmMessage>(
    pred: (m: JmMessage, seq: number) => boolean,
    from = 0,
    ms = 8000,
  ): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const hit = this.received.slice(from).find((r) => pred(r.msg, r.seq));
      if (hit) return hit.msg as T;
      if (Date.now() > deadline)
        throw new Error(`no matching message; got ${JSON.stringify(this.received.map((r) => r.msg.type))}`);
      await new Promise<void>((r) => {
        this.#waiters.push(r);
        setTimeout(r, 50);
      });
      this.#waiters = [];
    }
  }

  close(): void {
    this.#socket.destroy();
  }
}

/** What a gateway does with a job: coinbase, merkle root, header, then a nonce that meets the network target. */
function solve(m: JobMessage, extranonce: string): { nonce: string; hash: string } {
  const coinbase = concatBytes(hexToBytes(m.job.coinb1), hexToBytes(extranonce), hexToBytes(m.job.coinb2));
  const root = rootFromBranch(sha256d(coinbase), m.job.merkleBranch.map(hexToBytes));
  const bits = Number.parseInt(m.job.nbits, 16);
  const target = targetToBytes(bitsToTarget(bits));
  for (let nonce = 0; ; nonce++) {
    const header = serializeHeader({
      version: Number.parseInt(m.job.version, 16),
      prevHash: stratumPrevhashToHeader(m.job.prevhash),
      merkleRoot: root,
      time: Number.parseInt(m.job.ntime, 16),
      bits,
      nonce,
    });
    const hash = sha256d(header);
    if (hashMeetsTarget(hash, target)) return { nonce: hex32(nonce), hash: bytesToHex(reversed(hash)) };
  }
}

function capture(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  return { log: pino({ level: 'debug' }, stream), lines };
}

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function setup(extra: Record<string, unknown> = {}, secondNode = false) {
  const fake = new FakeBitcoind({ longPollMs: 1000 });
  await fake.listen();
  cleanup.push(() => fake.close());
  // A second node on the same chain: found blocks go to both, templates come from the first.
  const second = new FakeBitcoind({ longPollMs: 1000 });
  await second.listen();
  cleanup.push(() => second.close());
  const nodes = [{ url: fake.url(), name: 'fake' }];
  if (secondNode) nodes.push({ url: second.url(), name: 'second' });
  const config = parseJobmasterConfig({
    bitcoind: nodes,
    payoutAddress: PAYOUT,
    listen: { host: '127.0.0.1', port: 0 },
    extranonceSize: 8,
    pollIntervalMs: 100,
    rpcTimeoutMs: 1000,
    longPollTimeoutMs: 1500,
    ...extra,
  });
  if (!config.ok) throw new Error(config.error.message);
  const { log, lines } = capture();
  const jm = new Jobmaster(config.value, log);
  const { port } = await jm.start();
  cleanup.push(() => jm.stop());
  const gw = new TestGateway(port);
  cleanup.push(() => gw.close());
  return { fake, second, jm, gw, lines };
}

describe('jobmaster against the fake bitcoind', () => {
  it('job → found block → accepted → clean job on the new tip; unknown jobs refused', async () => {
    const { fake, second, jm, gw } = await setup({}, true);
    const newblocks: NewBlockEvent[] = [];
    jm.on('newblock', (e: NewBlockEvent) => newblocks.push(e));
    const first = await gw.next<JobMessage>((m) => m.type === 'JOB');
    expect(jm.network).toBe('regtest');
    expect(first.height).toBe(108);
    expect(first.job.cleanJobs).toBe(true);
    expect(first.job.merkleBranch.length).toBe(3);
    expect(first.target).toBe('7fffff' + '0'.repeat(58));
    expect(first.extranonceSize).toBe(8);
    expect(first.empty).toBe(false);

    const extranonce = 'aabbccdd00000001';
    const { nonce, hash } = solve(first, extranonce);
    const found = {
      jobId: first.job.jobId,
      extranonce,
      ntime: first.job.ntime,
      nonce,
      version: first.job.version,
      hash,
      user: 'alice',
      worker: 'rig1',
    };
    gw.send({ type: 'FOUND_BLOCK', ...found }, 77);
    const result = await gw.next<JmMessage & { type: 'BLOCK_RESULT' }>(
      (m, seq) => m.type === 'BLOCK_RESULT' && seq === 77,
    );
    expect(result.accepted).toBe(true);
    expect(result.hash).toBe(hash);
    expect(result.answers).toEqual([
      { node: 'fake', result: null },
      { node: 'second', result: null },
    ]);
    expect(second.acceptedBlocks().map((b) => b.hash)).toEqual([hash]);

    const accepted = fake.acceptedBlocks();
    expect(accepted.map((b) => b.hash)).toEqual([hash]);
    const coinbase = accepted[0]!.block.transactions[0]!;
    expect(bytesToHex(coinbase.outputs[0]!.script)).toBe(bytesToHex(payoutScript));
    expect(coinbase.outputs[0]!.value).toBe(BigInt(first.coinbasevalue));
    expect(newblocks.map((b) => [b.height, b.hash, b.user, b.worker])).toEqual([
      [108, hash, 'alice', 'rig1'],
    ]);
    const nb = await gw.next<JmMessage & { type: 'NEW_BLOCK' }>((m) => m.type === 'NEW_BLOCK');
    expect(nb.hash).toBe(hash);

    const next = await gw.next<JobMessage>((m) => m.type === 'JOB' && m.height === 109);
    expect(next.job.cleanJobs).toBe(true);
    expect(next.prevhash).toBe(hash);
    expect(next.job.merkleBranch).toEqual([]);

    // The same block again: one node says duplicate, the other fails; nothing is announced.
    second.setFault('http-500');
    gw.send({ type: 'FOUND_BLOCK', ...found }, 78);
    const dup = await gw.next<JmMessage & { type: 'BLOCK_RESULT' }>(
      (m, seq) => m.type === 'BLOCK_RESULT' && seq === 78,
    );
    expect(dup.accepted).toBe(false);
    expect(dup.answers[0]!.result).toBe('duplicate');
    expect(dup.answers[1]!.error).toContain('HTTP 500');
    expect(newblocks.length).toBe(1);

    gw.send({ type: 'FOUND_BLOCK', ...found, jobId: 'fff0' }, 79);
    const unknown = await gw.next<JmMessage & { type: 'ERROR' }>(
      (m, seq) => m.type === 'ERROR' && seq === 79,
    );
    expect(unknown.code).toBe('UNKNOWN_JOB');

    // A well-framed but malformed request is refused and the link stays up.
    gw.sendRaw(encodeJmMessage({ type: 'NEW_TIP', height: 1, prevhash: 'zz', curtime: 1 }, 80));
    const badMsg = await gw.next<JmMessage & { type: 'ERROR' }>((m, seq) => m.type === 'ERROR' && seq === 80);
    expect(badMsg.code).toBe('BAD_MESSAGE');
    gw.send({ type: 'PING' }, 81);
    await gw.next((m, seq) => m.type === 'PONG' && seq === 81);
    expect(jm.gateways()).toBe(1);
  });

  it('a NEW_TIP notice gives an empty-block job at once, then back to the node after the time limit', async () => {
    const { gw, jm } = await setup({ emptyBlockMs: 600 });
    const first = await gw.next<JobMessage>((m) => m.type === 'JOB');
    const mark = gw.received.length;
    const tip = 'ab'.repeat(32);
    gw.send({ type: 'NEW_TIP', height: 108, prevhash: tip, curtime: 1795569000 }, 1);
    const empty = await gw.next<JobMessage>((m) => m.type === 'JOB' && m.empty, mark);
    expect(empty.height).toBe(109);
    expect(empty.prevhash).toBe(tip);
    expect(empty.job.cleanJobs).toBe(true);
    expect(empty.job.merkleBranch).toEqual([]);
    expect(empty.coinbasevalue).toBe(5_000_000_000);
    expect(empty.job.nbits).toBe(first.job.nbits);
    // A found block on the empty job rebuilds with no transactions.
    const record = jm.job(empty.job.jobId)!;
    expect(record.template.transactions).toEqual([]);
    // The node does not know that tip, so it refuses the block with Core's reason; the jobmaster carries on.
    const extranonce = '0000000000000009';
    const solved = solve(empty, extranonce);
    const found = {
      jobId: empty.job.jobId,
      extranonce,
      ntime: empty.job.ntime,
      nonce: solved.nonce,
      version: empty.job.version,
    };
    gw.send({ type: 'FOUND_BLOCK', ...found }, 2);
    const refused = await gw.next<JmMessage & { type: 'BLOCK_RESULT' }>(
      (m, seq) => m.type === 'BLOCK_RESULT' && seq === 2,
    );
    expect(refused.accepted).toBe(false);
    expect(refused.answers[0]!.result).toBe('prev-blk-not-found');
    expect(refused.hash).toBe(solved.hash);
    // The node never reaches 109 here: after the limit the node's own template comes back, clean.
    const back = await gw.next<JobMessage>((m) => m.type === 'JOB' && !m.empty && m.height === 108, mark);
    expect(back.job.cleanJobs).toBe(true);
    expect(back.prevhash).toBe(first.prevhash);
  });

  it('a bitcoind that hangs is logged, nothing crashes, and jobs resume when it answers again', async () => {
    const { fake, gw, lines } = await setup({
      rpcTimeoutMs: 200,
      longPollTimeoutMs: 400,
      pollIntervalMs: 50,
    });
    const first = await gw.next<JobMessage>((m) => m.type === 'JOB');
    fake.setFault('hang');
    const hangLogged = async () => {
      for (let i = 0; i < 100 && !lines.some((l) => l.includes('no answer within 200 ms')); i++)
        await new Promise((r) => setTimeout(r, 50));
    };
    await hangLogged();
    expect(lines.some((l) => l.includes('no answer within 200 ms'))).toBe(true);
    fake.setFault(null);
    // Someone else mines a block straight into the node (no long-poll wake-up): the tip poll must notice.
    const mark = gw.received.length;
    const built = buildJob(fake.chain.template(), { payoutScript, extranonceSize: 8, jobId: 'x' });
    if (!built.ok) throw new Error(built.error.message);
    const solved = solve({ ...first, job: built.value.job }, '0000000000000000');
    const block = assembleFoundBlock(
      built.value,
      '0000000000000000',
      built.value.job.ntime,
      solved.nonce,
      built.value.job.version,
    );
    if (!block.ok) throw new Error(block.error.message);
    expect(fake.chain.submit(bytesToHex(block.value.block))).toEqual({ result: null });
    const next = await gw.next<JobMessage>((m) => m.type === 'JOB' && m.height === 109, mark);
    expect(next.job.cleanJobs).toBe(true);
    expect(lines.some((l) => l.includes('answers again'))).toBe(true);
  });
  it('follows a node restarted on a fresh chain (lower height), and keeps serving connected gateways', async () => {
    const { fake, gw } = await setup();
    const first = await gw.next<JobMessage>((m) => m.type === 'JOB');
    const built = buildJob(fake.chain.template(), { payoutScript, extranonceSize: 8, jobId: 'x' });
    if (!built.ok) throw new Error(built.error.message);
    const solved = solve({ ...first, job: built.value.job }, '0000000000000000');
    const block = assembleFoundBlock(
      built.value,
      '0000000000000000',
      built.value.job.ntime,
      solved.nonce,
      built.value.job.version,
    );
    if (!block.ok) throw new Error(block.error.message);
    expect(fake.chain.submit(bytesToHex(block.value.block))).toEqual({ result: null });
    await gw.next<JobMessage>((m) => m.type === 'JOB' && m.height === 109);
    const mark = gw.received.length;
    // The node restarts from the start of the chain on the same port.
    const port = Number(new URL(fake.url()).port);
    await fake.close();
    const restarted = new FakeBitcoind({ port, longPollMs: 1000 });
    await restarted.listen();
    cleanup.push(() => restarted.close());
    const back = await gw.next<JobMessage>((m) => m.type === 'JOB' && m.height === 108, mark);
    expect(back.job.cleanJobs).toBe(true);
    expect(back.prevhash).toBe(first.prevhash);
  });
});
