import { randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import {
  FrameDecoder,
  ShareRejectCode,
  UplinkErrorCode,
  decodeMessage,
  encodeMessageFrame,
  verifyAuthProof,
  type BlockMessage,
  type EventMessage,
  type JobMessage,
  type ShareRejectCode as RejectCode,
  type StatusMessage,
  type UplinkMessage,
  type WireShare,
} from '@farmhand/core/uplink';

// A small gateway for tests, built on the same core codec: handshake with token check, one JOB,
// SHARES credited once per (agent, seq) and acknowledged, EVENTs, BLOCKs and STATUS recorded.
// Knobs let a test hold acks, drop connections and inject corrupt bytes.

export interface CreditedShare extends WireShare {
  readonly agentId: string;
  readonly workerName: string;
}

export interface UplinkPeerOptions {
  readonly tokens: Record<string, string>;
  readonly extranoncePrefix?: Uint8Array;
  readonly extranonce2Size?: number;
  readonly versionMask?: number;
  readonly difficulty?: number;
  /** Serve TLS with this key and certificate (PEM). */
  readonly tls?: { readonly key: string; readonly cert: string };
}

interface Conn {
  readonly socket: Socket;
  agentId: string | null;
  challenge: Uint8Array | null;
  ready: boolean;
  seq: number;
  workers: Map<number, string>;
}

export class UplinkPeer {
  readonly credited = new Map<string, CreditedShare>(); // key agentId/seq
  readonly events: EventMessage[] = [];
  readonly blocks: BlockMessage[] = [];
  readonly statuses: StatusMessage[] = [];
  /** Message types received after WELCOME, in order. */
  readonly order: string[] = [];
  /** Every record received, duplicates included. */
  recordsReceived = 0;
  sharesFrames = 0;
  authFailures = 0;
  sessionsOpened = 0;
  /** When true, shares are credited but no ACK is sent (as if the link died before the ack). */
  holdAcks = false;
  /** Per-record verdict hook; undefined accepts. */
  verdict: ((r: WireShare, workerName: string) => RejectCode | undefined) | undefined;
  job: JobMessage;
  readonly #server: Server;
  readonly #conns = new Set<Conn>();
  readonly #o: UplinkPeerOptions;
  #nextSession = 1;

  constructor(options: UplinkPeerOptions, job: JobMessage) {
    this.#o = options;
    this.job = job;
    this.#server = options.tls
      ? createTlsServer(options.tls, (s) => this.#accept(s))
      : createServer((s) => this.#accept(s));
  }

  async listen(port = 0): Promise<number> {
    await new Promise<void>((r) => this.#server.listen(port, '127.0.0.1', r));
    return (this.#server.address() as { port: number }).port;
  }

  async close(): Promise<void> {
    this.dropAll();
    await new Promise<void>((r) => this.#server.close(() => r()));
  }

  get connections(): number {
    return this.#conns.size;
  }

  dropAll(): void {
    for (const c of this.#conns) c.socket.destroy();
  }

  /** Writes raw bytes to every open session (for corrupt-frame tests). */
  sendRaw(bytes: Uint8Array): void {
    for (const c of this.#conns) if (c.ready) c.socket.write(bytes);
  }

  setJob(job: JobMessage): void {
    this.job = job;
    for (const c of this.#conns) if (c.ready) this.#send(c, job);
  }

  #send(c: Conn, m: UplinkMessage): void {
    c.socket.write(encodeMessageFrame(m, ++c.seq));
  }

  #accept(socket: Socket): void {
    const c: Conn = { socket, agentId: null, challenge: null, ready: false, seq: 0, workers: new Map() };
    this.#conns.add(c);
    const decoder = new FrameDecoder();
    socket.on('data', (chunk) => {
      for (const f of decoder.push(chunk)) {
        if (!f.ok) return socket.destroy();
        const m = decodeMessage(f.value.type, f.value.body);
        if (!m.ok) return socket.destroy();
        this.#onMessage(c, m.value, f.value.seq);
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => this.#conns.delete(c));
  }

  #refuse(c: Conn, code: number, message: string): void {
    this.#send(c, { type: 'error', code, message });
    c.socket.end();
  }

  #onMessage(c: Conn, m: UplinkMessage, frameSeq: number): void {
    if (!c.ready) {
      if (m.type === 'hello' && !c.agentId) {
        c.agentId = m.agentId;
        c.challenge = new Uint8Array(randomBytes(32));
        this.#send(c, { type: 'challenge', nonce: c.challenge });
      } else if (m.type === 'auth' && c.agentId && c.challenge) {
        const token = this.#o.tokens[c.agentId];
        if (token === undefined || !verifyAuthProof(token, c.challenge, c.agentId, m.proof)) {
          this.authFailures++;
          return this.#refuse(c, UplinkErrorCode.AuthFailed, `bad token for agent ${c.agentId}`);
        }
        c.ready = true;
        this.sessionsOpened++;
        this.#send(c, {
          type: 'welcome',
          sessionId: this.#nextSession++,
          extranoncePrefix: this.#o.extranoncePrefix ?? Uint8Array.of(0xa1, 0xb2, 0xc3, 0xd4),
          extranonce2Size: this.#o.extranonce2Size ?? 8,
          versionMask: this.#o.versionMask ?? 0x1fffe000,
          difficulty: this.#o.difficulty ?? 1,
        });
        this.#send(c, this.job);
      } else this.#refuse(c, UplinkErrorCode.ProtocolViolation, `${m.type} before WELCOME`);
      return;
    }
    this.order.push(m.type);
    switch (m.type) {
      case 'event':
        this.events.push(m);
        if (m.kind === 'authorize') c.workers.set(m.worker, m.name);
        return;
      case 'shares': {
        this.sharesFrames++;
        const rejected: { index: number; code: RejectCode }[] = [];
        m.records.forEach((r, index) => {
          this.recordsReceived++;
          const name = c.workers.get(r.worker);
          const key = `${c.agentId}/${r.seq}`;
          if (this.credited.has(key)) return; // replay of a credited record: ack, do not credit again
          const code = name === undefined ? ShareRejectCode.UnknownWorker : this.verdict?.(r, name);
          if (code !== undefined) rejected.push({ index, code });
          else this.credited.set(key, { ...r, agentId: c.agentId!, workerName: name! });
        });
        if (!this.holdAcks)
          this.#send(c, { type: 'ack', sharesFrameSeq: frameSeq, count: m.records.length, rejected });
        return;
      }
      case 'block':
        this.blocks.push(m);
        return;
      case 'status':
        this.statuses.push(m);
        return;
      case 'ping':
        this.#send(c, { type: 'pong', stamp: m.stamp });
        return;
      default:
        return;
    }
  }
}

/** A JOB for tests (not a real block template: the peer does not check proof of work). */
export function testJobMessage(jobId: number, cleanJobs = true, shareDifficulty = 1): JobMessage {
  return {
    type: 'job',
    jobId,
    cleanJobs,
    prevhash: new Uint8Array(32).fill(0x11),
    version: 0x20000000,
    nbits: 0x207fffff,
    ntime: 0x6553f100,
    shareDifficulty,
    coinb1: Uint8Array.of(1, 0, 0, 0, 1),
    coinb2: Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0),
    merkleBranch: [],
  };
}

/** Polls until `pred` holds (tests never assert wall-clock times; this only bounds a wait). */
export async function waitFor(pred: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
