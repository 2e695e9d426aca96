// Peers of a gateway for its tests and bench: a test jobmaster (speaks pool/src/jobmaster/wire.ts), a
// Stratum V1 miner that really searches nonces, and an uplink agent built from core's messages.
import { createServer, connect, type Server, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import {
  addressToScript,
  concatBytes,
  difficultyToTarget,
  hashMeetsTarget,
  hexToBytes,
  rootFromBranch,
  serializeHeader,
  sha256d,
  targetToBytes,
  bytesToHex,
} from '@farmhand/core/bitcoin';
import { buildJob } from '@farmhand/core/job';
import {
  LineDecoder,
  encodeAuthorize,
  encodeSubmit,
  encodeSubscribe,
  hex32,
  stratumPrevhashToHeader,
  type StratumJob,
} from '@farmhand/core/stratum';
import {
  FrameDecoder,
  authProof,
  decodeMessage,
  encodeMessageFrame,
  encodeFrame,
  type UplinkMessage,
  type WireShare,
} from '@farmhand/core/uplink';
import { REGTEST_TEMPLATE_108 } from '../../pool/src/fake-bitcoind/index.js';
import {
  decodeJmMessage,
  encodeJmMessage,
  type FoundBlockMessage,
  type JobMessage,
} from '../../pool/src/jobmaster/wire.js';

const PAYOUT = 'bcrt1q0xcqpzrky6eff2g52qdye53xkk9jxkvrl4xfg5';

export async function until<T>(f: () => T | undefined | false, ms = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A jobmaster JOB from the embedded regtest template; `bits` "1d00ffff" makes blocks rare (difficulty 1). */
export function jmJob(
  jobId: string,
  opts: { bits?: string; clean?: boolean; extranonceSize?: number } = {},
): JobMessage {
  const script = addressToScript(PAYOUT, 'regtest');
  if (!script.ok) throw new Error(script.error.message);
  const template = {
    ...REGTEST_TEMPLATE_108,
    bits: opts.bits ?? REGTEST_TEMPLATE_108.bits,
    curtime: Math.floor(Date.now() / 1000) - 10,
  };
  const r = buildJob(template, {
    payoutScript: script.value.scriptPubKey,
    extranonceSize: opts.extranonceSize ?? 12,
    jobId,
    cleanJobs: opts.clean ?? true,
  });
  if (!r.ok) throw new Error(r.error.message);
  return {
    type: 'JOB',
    job: r.value.job,
    height: template.height,
    prevhash: template.previousblockhash,
    target: '00'.repeat(32),
    extranonceSize: opts.extranonceSize ?? 12,
    coinbasevalue: template.coinbasevalue,
    empty: false,
    createdAt: Date.now(),
  };
}

/** Listens like a jobmaster: every gateway gets the current job on connect; FOUND_BLOCKs are kept. */
export class TestJobmaster {
  readonly found: FoundBlockMessage[] = [];
  readonly sockets = new Set<Socket>();
  hellos = 0;
  #server: Server | undefined;
  #seq = 0;
  port = 0;

  /** Without a job nothing is sent on connect until push(). */
  constructor(public job: JobMessage | undefined) {}

  async listen(port = 0): Promise<number> {
    const server = createServer((s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
      s.on('error', () => undefined);
      const dec = new FrameDecoder();
      s.on('data', (chunk: Buffer) => {
        for (const f of dec.push(chunk)) {
          if (!f.ok) return s.destroy();
          const m = decodeJmMessage(f.value);
          if (!m.ok) continue;
          if (m.value.type === 'FOUND_BLOCK') this.found.push(m.value);
          if (m.value.type === 'HELLO') this.hellos += 1;
        }
      });
      if (this.job) s.write(encodeJmMessage(this.job, ++this.#seq));
    });
    this.#server = server;
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
    const a = server.address();
    this.port = typeof a === 'object' && a ? a.port : port;
    return this.port;
  }

  push(job: JobMessage): void {
    this.job = job;
    for (const s of this.sockets) s.write(encodeJmMessage(job, ++this.#seq));
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => (this.#server ? this.#server.close(() => r()) : r()));
  }
}

/** The header a share makes, and whether its hash meets a difficulty. */
export function shareHash(
  job: StratumJob,
  extranonce1: string,
  extranonce2: string,
  ntime: number,
  nonce: number,
): Uint8Array {
  const coinbase = concatBytes(
    hexToBytes(job.coinb1),
    hexToBytes(extranonce1),
    hexToBytes(extranonce2),
    hexToBytes(job.coinb2),
  );
  const root = rootFromBranch(sha256d(coinbase), job.merkleBranch.map(hexToBytes));
  return sha256d(
    serializeHeader({
      version: Number.parseInt(job.version, 16),
      prevHash: stratumPrevhashToHeader(job.prevhash),
      merkleRoot: root,
      time: ntime,
      bits: Number.parseInt(job.nbits, 16),
      nonce,
    }),
  );
}

/** The first nonce from `start` whose share meets `difficulty` (and, with `miss`, the first that does not). */
export function searchNonce(
  job: StratumJob,
  en1: string,
  en2: string,
  difficulty: number,
  opts: { start?: number; miss?: boolean } = {},
): number {
  const target = targetToBytes(difficultyToTarget(difficulty));
  const ntime = Number.parseInt(job.ntime, 16);
  for (let nonce = opts.start ?? 0; ; nonce++) {
    const meets = hashMeetsTarget(shareHash(job, en1, en2, ntime, nonce), target);
    if (meets !== (opts.miss ?? false)) return nonce;
  }
}

interface Reply {
  id: number | null;
  result?: unknown;
  error?: unknown;
  method?: string;
  params?: unknown[];
}

/** A Stratum V1 miner that searches nonces at the difficulty it is given. */
export class TestMiner {
  readonly socket: Socket;
  readonly messages: Reply[] = [];
  extranonce1 = '';
  extranonce2Size = 0;
  job: StratumJob | undefined;
  difficulty = 0;
  notifies = 0;
  closed = false;
  #id = 10;
  #en2 = 0;

  constructor(
    port: number,
    readonly user: string,
  ) {
    this.socket = connect(port, '127.0.0.1');
    this.socket.on('error', () => undefined);
    this.socket.on('close', () => (this.closed = true));
    const dec = new LineDecoder();
    this.socket.on('data', (chunk: Buffer) => {
      for (const l of dec.push(chunk)) {
        if (!l.ok) continue;
        const m = JSON.parse(l.value) as Reply;
        this.messages.push(m);
        if (m.id === 1 && Array.isArray(m.result)) {
          this.extranonce1 = m.result[1] as string;
          this.extranonce2Size = m.result[2] as number;
        }
        if (m.method === 'mining.set_difficulty') this.difficulty = (m.params as number[])[0]!;
        if (m.method === 'mining.notify') {
          this.notifies += 1;
          const p = m.params as [string, string, string, string, string[], string, string, string, boolean];
          this.job = {
            jobId: p[0],
            prevhash: p[1],
            coinb1: p[2],
            coinb2: p[3],
            merkleBranch: p[4],
            version: p[5],
            nbits: p[6],
            ntime: p[7],
            cleanJobs: p[8],
          };
        }
      }
    });
  }

  async start(password = 'x'): Promise<void> {
    await new Promise<void>((r) => this.socket.once('connect', () => r()));
    this.socket.write(encodeSubscribe(1, 'test-miner/1'));
    this.socket.write(encodeAuthorize(2, this.user, password));
    await until(() => this.job && this.difficulty > 0, 10_000, 'the first job');
  }

  /** Mines and submits one share (valid unless `bad`); resolves with the reply. */
  async submit(
    opts: { bad?: boolean; repeat?: { en2: string; nonce: number } } = {},
  ): Promise<{ ok: boolean; en2: string; nonce: number; reply: Reply }> {
    const job = this.job!;
    const en2 = opts.repeat?.en2 ?? hex32(++this.#en2).padStart(this.extranonce2Size * 2, '0');
    const nonce =
      opts.repeat?.nonce ??
      searchNonce(job, this.extranonce1, en2, this.difficulty, { miss: opts.bad ?? false });
    const id = ++this.#id;
    this.socket.write(
      encodeSubmit(id, {
        worker: this.user,
        jobId: job.jobId,
        extranonce2: en2,
        ntime: job.ntime,
        nonce: hex32(nonce),
      }),
    );
    const reply = await until(() => this.messages.find((m) => m.id === id), 10_000, `reply ${id}`);
    return { ok: reply.result === true, en2, nonce, reply };
  }

  close(): void {
    this.socket.destroy();
  }
}

/** An agent speaking the uplink: HELLO/AUTH, then whatever the test sends. */
export class TestAgent {
  readonly socket: Socket;
  readonly received: UplinkMessage[] = [];
  readonly acks: (UplinkMessage & { type: 'ack' })[] = [];
  closed = false;
  readonly connected: Promise<void>;
  #seq = 0;

  /** With `ca` the agent speaks TLS and trusts that certificate. */
  constructor(port: number, tls?: { ca: string }) {
    this.socket = tls
      ? tlsConnect({ port, host: '127.0.0.1', ca: tls.ca, servername: 'localhost' })
      : connect(port, '127.0.0.1');
    const ready = tls ? 'secureConnect' : 'connect';
    this.connected = new Promise<void>((r) => this.socket.once(ready, () => r()));
    this.socket.on('error', () => undefined);
    this.socket.on('close', () => (this.closed = true));
    const dec = new FrameDecoder();
    this.socket.on('data', (chunk: Buffer) => {
      for (const f of dec.push(chunk)) {
        if (!f.ok) return;
        const m = decodeMessage(f.value.type, f.value.body);
        if (!m.ok) continue;
        this.received.push(m.value);
        if (m.value.type === 'ack') this.acks.push(m.value);
      }
    });
  }

  /** Sends a message; returns its frame seq. */
  send(m: UplinkMessage): number {
    this.#seq += 1;
    this.socket.write(encodeMessageFrame(m, this.#seq));
    return this.#seq;
  }

  sendRaw(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  async login(agentId: string, token: string): Promise<UplinkMessage & { type: 'welcome' }> {
    await this.connected;
    this.send({ type: 'hello', protocolVersion: 1, agentId, software: 'test-agent/1' });
    const ch = await until(
      () => this.received.find((m) => m.type === 'challenge' || m.type === 'error'),
      5000,
      'CHALLENGE',
    );
    if (ch.type !== 'challenge') throw new Error('no challenge');
    this.send({ type: 'auth', proof: authProof(token, ch.nonce, agentId) });
    const w = await until(
      () => this.received.find((m) => m.type === 'welcome' || m.type === 'error'),
      5000,
      'WELCOME',
    );
    if (w.type !== 'welcome') throw new Error(`refused: ${JSON.stringify(w)}`);
    return w;
  }

  lastJob(): (UplinkMessage & { type: 'job' }) | undefined {
    for (let i = this.received.length - 1; i >= 0; i--) {
      const m = this.received[i]!;
      if (m.type === 'job') return m;
    }
    return undefined;
  }

  async ackFor(frameSeq: number): Promise<UplinkMessage & { type: 'ack' }> {
    return until(
      () => this.acks.find((a) => a.sharesFrameSeq === frameSeq),
      10_000,
      `ACK of frame ${frameSeq}`,
    );
  }

  close(): void {
    this.socket.destroy();
  }
}

/** A record mined for real: en2 = 8 bytes from `counter`, at `difficulty` (or one that misses it). */
export function mineRecord(
  job: StratumJob,
  prefix: string,
  en2Size: number,
  seq: number,
  worker: number,
  difficulty: number,
  miss = false,
): WireShare {
  const en2 = hex32(seq).padStart(en2Size * 2, '0');
  const nonce = searchNonce(job, prefix, en2, difficulty, { miss });
  return {
    seq,
    jobId: Number.parseInt(job.jobId, 16),
    worker,
    extranonce2: hexToBytes(en2),
    ntimeDelta: 0,
    nonce,
    versionBits: (Number.parseInt(job.version, 16) >>> 13) & 0xffff,
  };
}

export { bytesToHex, encodeFrame };
