import { createServer, type Server, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { bytesToHex, hexToBytes } from '@farmhand/core/bitcoin';
import { ShareValidator, prepareJob, type ShareVerdict } from '@farmhand/core/share';
import {
  BIP320_VERSION_MASK,
  LineDecoder,
  encodeConfigureResult,
  encodeError,
  encodeNotify,
  encodeResult,
  encodeSetDifficulty,
  encodeSetExtranonce,
  encodeSubscribeResult,
  hex32,
  negotiateVersionMask,
  parseMessage,
  toClientRequest,
  type StratumJob,
} from '@farmhand/core/stratum';

// A minimal Stratum V1 pool for tests: hands out jobs, validates every submit with core's
// ShareValidator and records what it saw per worker. Generic: any test that needs a pool to point
// miners at may use it. Loopback only.

export interface EndpointShare {
  readonly worker: string;
  readonly jobId: string;
  readonly verdict: ShareVerdict;
}

export interface EndpointSession {
  readonly socket: Socket;
  extranonce1: string;
  /** Responses the miner sent to server requests (client.get_version ...). */
  readonly responses: unknown[];
  userAgent?: string;
  worker?: string;
  /** Request methods in the order the miner sent them. */
  readonly methods: string[];
  versionMask: number;
  suggestedDifficulty?: number;
  configured: boolean;
  difficulty: number;
  previousDifficulty?: number;
}

export interface StratumEndpointOptions {
  /** Share difficulty sent to every miner. Default 1/65536 (about 65k hashes per share). */
  readonly difficulty?: number;
  /** nBits of the jobs; the default 1d00ffff keeps blocks out of reach. */
  readonly nbits?: string;
  /** Refuse mining.authorize for these users. */
  readonly refuseUsers?: readonly string[];
}

export interface StratumEndpoint {
  readonly port: number;
  readonly host: '127.0.0.1';
  readonly sessions: readonly EndpointSession[];
  readonly shares: readonly EndpointShare[];
  /** Lines the endpoint could not parse (garbage faults land here). */
  readonly badLines: readonly string[];
  readonly validator: ShareValidator;
  accepted(worker?: string): EndpointShare[];
  rejected(worker?: string): EndpointShare[];
  /** Sends a fresh job to every session; clean retires the earlier ones. */
  newJob(clean: boolean): StratumJob;
  /** Writes a raw line (a server request or notification) to one session. */
  send(session: EndpointSession, line: string): void;
  /** mining.set_extranonce to one session; later shares are checked against the new value. */
  setExtranonce(session: EndpointSession, extranonce1: string): void;
  /** mining.set_difficulty to one session; shares at the old difficulty stay acceptable. */
  setDifficulty(session: EndpointSession, difficulty: number): void;
  /** Waits until predicate holds, checking on every event (bounded by timeoutMs). */
  until(predicate: () => boolean, timeoutMs?: number): Promise<void>;
  /** Drops every connection and stops listening (a pool that dies). */
  close(): Promise<void>;
}

export async function startStratumEndpoint(opts: StratumEndpointOptions = {}): Promise<StratumEndpoint> {
  const difficulty = opts.difficulty ?? 1 / 65536;
  const validator = new ShareValidator();
  const sessions: EndpointSession[] = [];
  const shares: EndpointShare[] = [];
  const badLines: string[] = [];
  const waiters = new Set<() => void>();
  const poke = () => {
    for (const w of [...waiters]) w();
  };
  let jobSeq = 0;
  let en1Seq = 0;
  let current: StratumJob;

  const makeJob = (clean: boolean): StratumJob => {
    const job: StratumJob = {
      jobId: (++jobSeq).toString(16),
      prevhash: bytesToHex(randomBytes(32)),
      // A coinbase split around the extranonces, as pools send it (version, one input, script).
      coinb1: `01000000010000000000000000000000000000000000000000000000000000000000000000ffffffff20${bytesToHex(randomBytes(4))}`,
      coinb2: 'ffffffff0100f2052a010000001976a914000000000000000000000000000000000000000088ac00000000',
      merkleBranch: [bytesToHex(randomBytes(32))],
      version: '20000000',
      nbits: opts.nbits ?? '1d00ffff',
      ntime: hex32(Math.floor(Date.now() / 1000)),
      cleanJobs: clean,
    };
    const prepared = prepareJob(job);
    if (!prepared.ok) throw new Error(prepared.error.message);
    validator.addJob(prepared.value);
    return job;
  };
  current = makeJob(true);

  const server: Server = createServer((socket) => {
    const s: EndpointSession = {
      socket,
      extranonce1: (++en1Seq).toString(16).padStart(8, '0'),
      versionMask: 0,
      responses: [],
      methods: [],
      configured: false,
      difficulty,
    };
    sessions.push(s);
    const decoder = new LineDecoder();
    socket.on('error', () => {});
    socket.on('close', poke);
    socket.on('data', (chunk: Buffer) => {
      for (const line of decoder.push(chunk)) {
        if (!line.ok) continue;
        handle(s, line.value);
      }
      poke();
    });
  });

  const handle = (s: EndpointSession, text: string): void => {
    const msg = parseMessage(text);
    if (!msg.ok) {
      badLines.push(text);
      return;
    }
    if (msg.value.kind === 'response') {
      s.responses.push(msg.value.result);
      return;
    }
    const req = toClientRequest(msg.value);
    if (!req.ok) {
      s.socket.write(encodeError(msg.value.id, 20, req.error.message));
      return;
    }
    const r = req.value;
    s.methods.push(msg.value.method);
    switch (r.kind) {
      case 'mining.configure': {
        s.configured = true;
        let mask: number | null = null;
        if (r.versionRolling) {
          const granted = negotiateVersionMask(
            r.versionRolling.mask,
            BIP320_VERSION_MASK,
            r.versionRolling.minBitCount,
          );
          mask = granted.ok ? granted.value : null;
        }
        s.versionMask = mask ?? 0;
        s.socket.write(encodeConfigureResult(r.id, r.versionRolling ? { versionRollingMask: mask } : {}));
        return;
      }
      case 'mining.subscribe':
        if (r.userAgent !== undefined) s.userAgent = r.userAgent;
        s.socket.write(encodeSubscribeResult(r.id, { extranonce1: s.extranonce1, extranonce2Size: 4 }));
        return;
      case 'mining.authorize':
        if (opts.refuseUsers?.includes(r.user)) {
          s.socket.write(encodeError(r.id, 24));
          return;
        }
        s.worker = r.user;
        s.socket.write(encodeResult(r.id, true));
        s.socket.write(encodeSetDifficulty(s.difficulty));
        s.socket.write(encodeNotify(current));
        return;
      case 'mining.suggest_difficulty':
        s.suggestedDifficulty = r.difficulty;
        if (r.id !== null) s.socket.write(encodeResult(r.id, true));
        return;
      case 'mining.submit': {
        const verdict = validator.check(
          {
            extranonce1: hexToBytes(s.extranonce1),
            extranonce1Hex: s.extranonce1,
            extranonce2Size: 4,
            versionMask: s.versionMask,
            difficulty: s.difficulty,
            ...(s.previousDifficulty !== undefined ? { previousDifficulty: s.previousDifficulty } : {}),
          },
          r,
          Math.floor(Date.now() / 1000),
        );
        shares.push({ worker: r.worker, jobId: r.jobId, verdict });
        s.socket.write(
          verdict.kind === 'accepted'
            ? encodeResult(r.id, true)
            : encodeError(r.id, verdict.code, verdict.message),
        );
        return;
      }
      default:
        if (r.id !== null) s.socket.write(encodeError(r.id, -32601, 'Method not found'));
    }
  };

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');

  return {
    port: address.port,
    host: '127.0.0.1',
    sessions,
    shares,
    badLines,
    validator,
    accepted: (worker) =>
      shares.filter((x) => x.verdict.kind === 'accepted' && (!worker || x.worker === worker)),
    rejected: (worker) =>
      shares.filter((x) => x.verdict.kind === 'rejected' && (!worker || x.worker === worker)),
    newJob(clean) {
      current = makeJob(clean);
      for (const s of sessions) if (!s.socket.destroyed && s.worker) s.socket.write(encodeNotify(current));
      return current;
    },
    send(session, line) {
      session.socket.write(line.endsWith('\n') ? line : `${line}\n`);
    },
    setExtranonce(session, extranonce1) {
      session.extranonce1 = extranonce1;
      session.socket.write(encodeSetExtranonce(extranonce1, 4));
    },
    setDifficulty(session, d) {
      session.previousDifficulty = session.difficulty;
      session.difficulty = d;
      session.socket.write(encodeSetDifficulty(d));
    },
    until(predicate, timeoutMs = 10_000) {
      if (predicate()) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const check = () => {
          if (predicate()) {
            clearTimeout(timer);
            clearInterval(tick);
            waiters.delete(check);
            resolve();
          }
        };
        // A slow tick too, for conditions that change outside this endpoint (miner-side state).
        const tick = setInterval(check, 50);
        const timer = setTimeout(() => {
          clearInterval(tick);
          waiters.delete(check);
          reject(new Error(`condition not met within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(check);
      });
    },
    async close() {
      for (const s of sessions) s.socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
