// Set-up shared by the pool role tests: the per-file cleanup list, a fake bitcoind with a real jobmaster
// on it, a gateway-side jobmaster link that can solve a job, and a real redis-server with a metawriter.
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll } from 'vitest';
import {
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
import { hex32, stratumPrevhashToHeader } from '@farmhand/core/stratum';
import { FrameDecoder } from '@farmhand/core/uplink';
import { FakeBitcoind, type FakeBitcoindOptions } from '../../pool/src/fake-bitcoind/index.js';
import { parseGatewayConfig, type GatewayConfigInput } from '../../pool/src/gateway/config.js';
import { startGateway, type RunningGateway } from '../../pool/src/gateway/gateway.js';
import {
  Jobmaster,
  decodeJmMessage,
  encodeJmMessage,
  parseJobmasterConfig,
  type JobMessage,
} from '../../pool/src/jobmaster/index.js';
import { parseMetawriterConfig } from '../../pool/src/metawriter/config.js';
import { startMetawriter, type RunningMetawriter } from '../../pool/src/metawriter/metawriter.js';
import { startRedis, type RedisServer } from '../support/redis.js';

export const log = pino({ level: 'silent' });
export const PAYOUT = 'bcrt1q0xcqpzrky6eff2g52qdye53xkk9jxkvrl4xfg5';

export type Cleanups = (() => Promise<void> | void)[];

/** The file's cleanup list: after each test its entries run, last pushed first. */
export function useCleanups(): Cleanups {
  const cleanups: Cleanups = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  return cleanups;
}

/** A temp dir removed by `cleanups`. */
export function tempDir(cleanups: Cleanups, prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export async function until(cond: () => boolean, ms = 8000): Promise<void> {
  for (let i = 0; i < ms / 10 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!cond()) throw new Error('condition not met in time');
}

/**
 * A fake bitcoind (long-poll 1 s) and a jobmaster on it, both stopped by `cleanups`. `jobmaster` adds to
 * (or overrides) the jobmaster's config; `beforeStart` attaches listeners before its first job.
 */
export async function startJobmaster(
  cleanups: Cleanups,
  opts: {
    node?: FakeBitcoindOptions;
    jobmaster?: Record<string, unknown>;
    beforeStart?: (jm: Jobmaster) => void;
  } = {},
): Promise<{ node: FakeBitcoind; jm: Jobmaster; port: number }> {
  const node = new FakeBitcoind({ longPollMs: 1000, ...opts.node });
  await node.listen();
  cleanups.push(() => node.close());
  const cfg = parseJobmasterConfig({
    bitcoind: [{ url: node.url(), name: 'fake' }],
    payoutAddress: PAYOUT,
    listen: { host: '127.0.0.1', port: 0 },
    pollIntervalMs: 100,
    rpcTimeoutMs: 1000,
    longPollTimeoutMs: 1500,
    logLevel: 'silent',
    ...opts.jobmaster,
  });
  if (!cfg.ok) throw new Error(cfg.error.message);
  const jm = new Jobmaster(cfg.value, log);
  opts.beforeStart?.(jm);
  const { port } = await jm.start();
  cleanups.push(() => jm.stop());
  return { node, jm, port };
}

/** A gateway's link to a jobmaster: collects its jobs and can report a block found on one. */
export class JobWatcher {
  readonly jobs: JobMessage[] = [];
  #socket: Socket;
  constructor(port: number) {
    this.#socket = connect(port, '127.0.0.1');
    const dec = new FrameDecoder();
    this.#socket.on('data', (chunk: Buffer) => {
      for (const f of dec.push(chunk)) {
        if (!f.ok) continue;
        const m = decodeJmMessage(f.value);
        if (m.ok && m.value.type === 'JOB') this.jobs.push(m.value);
      }
    });
  }
  /**
   * Searches nonces on `job` (extranonce: `extranonceByte` repeated) until `accept` takes the header hash
   * (default: it meets the job's target), sends FOUND_BLOCK and returns the display hash.
   */
  solve(job: JobMessage, extranonceByte: string, accept?: (hash: Uint8Array) => boolean): string {
    const extranonce = extranonceByte.repeat(job.extranonceSize);
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
      const hash = sha256d(header);
      if (accept ? !accept(hash) : !hashMeetsTarget(hash, target)) continue;
      this.#socket.write(
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
      return bytesToHex(reversed(hash));
    }
  }
  close(): void {
    this.#socket.destroy();
  }
}

/** A redis-server for the file (started before its first test) and a client on it. */
export function useRedis(): { readonly server: RedisServer; readonly client: Redis } {
  let server: RedisServer | undefined;
  let client: Redis | undefined;
  beforeAll(async () => {
    server = await startRedis();
    client = new Redis(server.port, '127.0.0.1');
  });
  afterAll(async () => {
    client?.disconnect();
    await server?.stop();
  });
  return {
    get server() {
      if (!server) throw new Error('redis-server is not started yet');
      return server;
    },
    get client() {
      if (!client) throw new Error('redis-server is not started yet');
      return client;
    },
  };
}

/** A metawriter on `redisUrl`, stopped by `cleanups` unless stopped before; its stop() can run twice. */
export async function startTestMetawriter(
  cleanups: Cleanups,
  redisUrl: string,
  port = 0,
): Promise<RunningMetawriter> {
  const c = parseMetawriterConfig({
    listen: { host: '127.0.0.1', port },
    redis: { url: redisUrl },
    logLevel: 'fatal',
  });
  if (!c.ok) throw new Error(c.error.message);
  const mw = await startMetawriter(c.value, log);
  let stopped = false;
  cleanups.push(async () => {
    if (!stopped) await mw.stop();
    stopped = true;
  });
  return {
    ...mw,
    stop: async () => {
      if (!stopped) await mw.stop();
      stopped = true;
    },
  };
}

/**
 * A gateway `name` (host `<name>.local`) on one jobmaster and one metawriter, taking agent `agent` at
 * share difficulty `difficulty`; stopped by `cleanups` unless stopped before.
 */
export async function startTestGateway(
  cleanups: Cleanups,
  opts: {
    name: string;
    agent: { id: string; token: string };
    difficulty: number;
    jobmasterPort: number;
    metawriterPort: number;
    spoolDir: string;
  },
  over: Partial<GatewayConfigInput> = {},
): Promise<{ gw: RunningGateway; stop: () => Promise<void> }> {
  const c = parseGatewayConfig({
    name: opts.name,
    host: `${opts.name}.local`,
    coin: 'btc',
    stratum: { host: '127.0.0.1', port: 0 },
    uplink: { host: '127.0.0.1', port: 0 },
    agents: [opts.agent],
    agentDifficulty: opts.difficulty,
    jobmaster: [`127.0.0.1:${opts.jobmasterPort}`],
    metawriter: `127.0.0.1:${opts.metawriterPort}`,
    startDifficulty: opts.difficulty,
    minDifficulty: opts.difficulty,
    spool: { dir: opts.spoolDir },
    logLevel: 'silent',
    ...over,
  });
  if (!c.ok) throw new Error(c.error.message);
  const gw = await startGateway(c.value, log);
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await gw.stop();
  };
  cleanups.push(stop);
  return { gw, stop };
}
