// One agent connection on the uplink (docs/uplink.md, session rules): HELLO → CHALLENGE → AUTH →
// WELCOME + JOB, then SHARES/ACK, BLOCK, EVENT, STATUS, PING/PONG. Every record is re-validated with
// the gateway's own ShareValidator (the agent is never trusted); replays are acked without credit.
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import { bytesEqual, bytesToHex, hexToBytes, parseHeader } from '@farmhand/core/bitcoin';
import { parseWorkerName, hex32, type WorkerName } from '@farmhand/core/stratum';
import {
  FrameDecoder,
  UPLINK_PROTOCOL_VERSION,
  UplinkErrorCode,
  ShareRejectCode,
  decodeMessage,
  encodeMessageFrame,
  rejectCodeOf,
  verifyAuthProof,
  wireShareFields,
  type BlockMessage,
  type RejectedRecord,
  type SharesMessage,
  type UplinkMessage,
  type WireShare,
} from '@farmhand/core/uplink';
import type { ShareVerdict } from '@farmhand/core/share';
import type { AgentServer } from './agent-server.js';
import type { GatewayJob } from './work-book.js';

type State = 'hello' | 'auth' | 'waiting-work' | 'open' | 'closed';

/** Compared against when the agent id is unknown, so a wrong id costs the same time as a wrong token. */
const DUMMY_TOKEN = randomBytes(32).toString('hex');

export class AgentSession {
  readonly peer: string;
  readonly ip: string;
  readonly sessionId: number;
  #state: State = 'hello';
  readonly #decoder = new FrameDecoder({ maxBodyBytes: 256 * 1024 });
  #outSeq = 0;
  #challenge: Uint8Array | undefined;
  agentId = '';
  #software = '';
  prefix = '';
  #prefixBytes: Uint8Array = new Uint8Array(0);
  #en2Size = 0;
  readonly #workers = new Map<number, WorkerName>();
  heardAt: number;
  readonly openedAt: number;
  lastStatus: { miners: number; hashrate: number; bufferDepth: number } | undefined;

  constructor(
    readonly socket: Socket,
    readonly server: AgentServer,
    sessionId: number,
  ) {
    this.sessionId = sessionId;
    this.ip = socket.remoteAddress ?? 'unknown';
    this.peer = `${this.ip}:${socket.remotePort ?? 0}`;
    this.heardAt = this.openedAt = Date.now();
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.#data(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.#state = 'closed';
      server.sessionClosed(this);
    });
  }

  get open(): boolean {
    return this.#state === 'open';
  }

  get waitingForWork(): boolean {
    return this.#state === 'waiting-work';
  }

  send(m: UplinkMessage): void {
    if (this.socket.destroyed) return;
    this.#outSeq = (this.#outSeq + 1) >>> 0;
    this.socket.write(encodeMessageFrame(m, this.#outSeq));
  }

  /** ERROR then close (rule: the sender closes after an ERROR). */
  fail(code: number, message: string): void {
    if (this.#state === 'closed') return;
    this.send({ type: 'error', code, message: message.slice(0, 1024) });
    this.close(message);
  }

  close(reason: string): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    this.server.log.info({ agent: this.agentId, peer: this.peer, reason }, 'agent connection closed');
    this.socket.end();
    setTimeout(() => this.socket.destroy(), 2000).unref();
  }

  /** Work exists (or arrived): WELCOME and the current job. */
  welcome(): void {
    const space = this.server.work.space;
    const job = this.server.work.current;
    if (!space || !job) {
      this.#state = 'waiting-work';
      return;
    }
    const prefix = this.server.prefixFor(this);
    if (prefix === undefined) {
      this.fail(UplinkErrorCode.Overloaded, 'no extranonce space left on this gateway');
      return;
    }
    this.prefix = prefix;
    this.#prefixBytes = hexToBytes(prefix);
    this.#en2Size = space.extranonce2Size;
    this.#state = 'open';
    this.send({
      type: 'welcome',
      sessionId: this.sessionId,
      extranoncePrefix: new Uint8Array(this.#prefixBytes),
      extranonce2Size: this.#en2Size,
      versionMask: this.server.versionMask,
      difficulty: this.server.difficulty,
    });
    this.sendJob(job);
    this.server.log.info(
      { agent: this.agentId, peer: this.peer, software: this.#software, prefix },
      'agent authenticated',
    );
  }

  sendJob(job: GatewayJob): void {
    if (this.#state === 'open') this.send(this.server.jobMessage(job));
  }

  #data(chunk: Buffer): void {
    this.heardAt = Date.now();
    for (const r of this.#decoder.push(chunk)) {
      if (this.#state === 'closed') return;
      if (!r.ok) {
        this.server.counters.corruptFrames += 1;
        this.close(`frame error ${r.error.code}: ${r.error.message}`);
        this.socket.destroy();
        return;
      }
      const m = decodeMessage(r.value.type, r.value.body);
      if (!m.ok) {
        this.fail(UplinkErrorCode.ProtocolViolation, `${m.error.code}: ${m.error.message}`);
        return;
      }
      this.#message(m.value, r.value.seq);
    }
  }

  #message(m: UplinkMessage, frameSeq: number): void {
    if (m.type === 'ping') return this.send({ type: 'pong', stamp: m.stamp });
    if (m.type === 'pong') return;
    switch (this.#state) {
      case 'hello':
        if (m.type !== 'hello')
          return this.fail(UplinkErrorCode.BadHello, `expected HELLO, got ${m.type.toUpperCase()}`);
        if (m.protocolVersion !== UPLINK_PROTOCOL_VERSION)
          return this.fail(
            UplinkErrorCode.UnsupportedVersion,
            `protocol version ${m.protocolVersion} is not supported (1)`,
          );
        this.agentId = m.agentId;
        this.#software = m.software;
        this.#challenge = new Uint8Array(randomBytes(32));
        this.#state = 'auth';
        return this.send({ type: 'challenge', nonce: this.#challenge });
      case 'auth': {
        if (m.type !== 'auth')
          return this.fail(UplinkErrorCode.ProtocolViolation, `expected AUTH, got ${m.type.toUpperCase()}`);
        const token = this.server.tokenOf(this.agentId);
        const good = verifyAuthProof(token ?? DUMMY_TOKEN, this.#challenge!, this.agentId, m.proof);
        if (!good || token === undefined) {
          this.server.authFailed(this.ip);
          this.server.log.warn({ agent: this.agentId, peer: this.peer }, 'agent authentication failed');
          return this.fail(
            UplinkErrorCode.AuthFailed,
            'authentication failed: unknown agent id or wrong token',
          );
        }
        this.server.authSucceeded(this.ip);
        return this.welcome();
      }
      case 'waiting-work':
        return this.fail(UplinkErrorCode.ProtocolViolation, `${m.type.toUpperCase()} before WELCOME`);
      case 'open':
        return this.#openMessage(m, frameSeq);
      case 'closed':
        return;
    }
  }

  #openMessage(m: UplinkMessage, frameSeq: number): void {
    switch (m.type) {
      case 'shares':
        return this.#shares(m, frameSeq);
      case 'block':
        return this.#block(m);
      case 'event': {
        const name = parseWorkerName(m.name);
        if (m.kind === 'authorize') {
          if (!name.ok) return; // its records will be rejected as unknown-worker
          this.#workers.set(m.worker, name.value);
          this.server.hooks.connection(
            name.value.account,
            name.value.worker,
            peerIp(m.peer) || this.ip,
            'connected',
          );
        } else if (m.kind === 'disconnect') {
          const w = this.#workers.get(m.worker) ?? (name.ok ? name.value : undefined);
          if (w) this.server.hooks.connection(w.account, w.worker, peerIp(m.peer) || this.ip, 'disconnected');
        }
        return;
      }
      case 'status':
        this.lastStatus = { miners: m.miners, hashrate: m.hashrate, bufferDepth: m.bufferDepth };
        return;
      default:
        return this.fail(
          UplinkErrorCode.ProtocolViolation,
          `${m.type.toUpperCase()} is not sent by an agent`,
        );
    }
  }

  #shares(m: SharesMessage, frameSeq: number): void {
    if (m.extranonce2Size !== this.#en2Size)
      return this.fail(
        UplinkErrorCode.ProtocolViolation,
        `SHARES extranonce2 size ${m.extranonce2Size} differs from WELCOME's ${this.#en2Size}`,
      );
    const credited = this.server.creditedFor(this.agentId);
    let lowest = m.records[0]!.seq;
    for (const r of m.records) if (r.seq < lowest) lowest = r.seq;
    credited.start(lowest);
    const rejected: RejectedRecord[] = [];
    m.records.forEach((r, index) => {
      const code = this.#record(r);
      if (code !== undefined) rejected.push({ index, code });
    });
    this.send({ type: 'ack', sharesFrameSeq: frameSeq, count: m.records.length, rejected });
  }

  /** Validates and credits one record; the reject code, or undefined when accepted. */
  #record(r: WireShare): ShareRejectCode | undefined {
    const credited = this.server.creditedFor(this.agentId);
    const past = credited.past(r.seq);
    if (past !== undefined) {
      this.server.counters.replays += 1;
      return past === 0 ? undefined : (past as ShareRejectCode);
    }
    const worker = this.#workers.get(r.worker);
    if (!worker) {
      credited.reject(r.seq, ShareRejectCode.UnknownWorker);
      return ShareRejectCode.UnknownWorker;
    }
    const jobId = hex32(r.jobId);
    const job = this.server.work.get(jobId);
    const fields = wireShareFields(
      r,
      job ? { ntime: job.share.ntime, version: job.share.version } : { ntime: 0, version: 0 },
    );
    const verdict: ShareVerdict = this.server.work.validator.check(
      {
        extranonce1: this.#prefixBytes,
        extranonce1Hex: this.prefix,
        extranonce2Size: this.#en2Size,
        versionMask: this.server.versionMask,
        difficulty: this.server.difficulty,
      },
      {
        jobId,
        extranonce2: fields.extranonce2,
        ntime: fields.ntime,
        nonce: fields.nonce,
        versionBits: fields.version,
      },
      Math.floor(Date.now() / 1000),
    );
    this.server.hooks.share(worker, verdict, this.server.difficulty, job, this.prefix + fields.extranonce2);
    if (verdict.kind === 'accepted') {
      credited.credit(r.seq);
      return undefined;
    }
    const code = rejectCodeOf(verdict.reason);
    credited.reject(r.seq, code);
    return code;
  }

  /** A found block, ahead of its SHARES record: rebuilt as a record from the header and coinbase. */
  #block(m: BlockMessage): void {
    const job = this.server.work.get(hex32(m.jobId));
    if (!job) {
      this.server.log.error(
        { agent: this.agentId, jobId: hex32(m.jobId) },
        'BLOCK on a job this gateway does not know',
      );
      return;
    }
    const head = job.share.coinb1.length + this.#prefixBytes.length;
    const en2 = m.coinbase.subarray(head, head + this.#en2Size);
    const wellFormed =
      m.coinbase.length === head + this.#en2Size + job.share.coinb2.length &&
      bytesEqual(m.coinbase.subarray(0, job.share.coinb1.length), job.share.coinb1) &&
      bytesEqual(m.coinbase.subarray(job.share.coinb1.length, head), this.#prefixBytes) &&
      bytesEqual(m.coinbase.subarray(head + this.#en2Size), job.share.coinb2);
    if (!wellFormed) {
      this.server.log.error(
        { agent: this.agentId, coinbase: bytesToHex(m.coinbase).slice(0, 200) },
        "BLOCK coinbase is not this job's with this agent's prefix",
      );
      return;
    }
    const h = parseHeader(m.header);
    const code = this.#record({
      seq: m.seq,
      jobId: m.jobId,
      worker: m.worker,
      extranonce2: en2,
      ntimeDelta: h.time - job.share.ntime,
      nonce: h.nonce,
      versionBits: (h.version >>> 13) & 0xffff,
    });
    if (code !== undefined) this.server.log.warn({ agent: this.agentId, code }, 'BLOCK share rejected');
  }
}

function peerIp(peer: string): string {
  const i = peer.lastIndexOf(':');
  return i > 0 ? peer.slice(0, i) : peer;
}
