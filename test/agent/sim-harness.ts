import { createHash, randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { afterEach, expect } from 'vitest';
import { startFarm, type Farm, type FarmOptions } from '../../agent/src/sim/index.js';
import {
  startStratumEndpoint,
  type StratumEndpoint,
  type StratumEndpointOptions,
} from '../support/stratum-endpoint.js';

// What the sim-*.test.ts files share: Stratum endpoints and farms that are torn down after each
// test, and the requests they send to the simulated device APIs.

/** Share difficulty of the test endpoints: 2^-16 keeps a real share at ~65k sha256d. */
export const D = 1 / 65536;

export interface SimHarness {
  /** A Stratum endpoint at difficulty D unless opts say otherwise; closed after the test. */
  endpoint(opts?: StratumEndpointOptions): Promise<StratumEndpoint>;
  /** startFarm from the sim; the farm is stopped after the test, before the endpoints close. */
  startFarm(opts: FarmOptions): Promise<Farm>;
}

/** Call at the top of a test file: registers the afterEach that stops what the harness started. */
export function simHarness(): SimHarness {
  const farms: Farm[] = [];
  const endpoints: StratumEndpoint[] = [];
  afterEach(async () => {
    for (const f of farms.splice(0)) await f.stop();
    for (const e of endpoints.splice(0)) await e.close();
  });
  return {
    async endpoint(opts = {}) {
      const e = await startStratumEndpoint({ difficulty: D, ...opts });
      endpoints.push(e);
      return e;
    },
    async startFarm(opts) {
      const f = await startFarm(opts);
      farms.push(f);
      return f;
    },
  };
}

/** Sends one request, reads until the daemon closes the connection. */
export function tcp(port: number, request: string, host = '127.0.0.1'): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const s = connect({ host, port }, () => s.write(request));
    s.on('data', (c: Buffer) => chunks.push(c));
    s.on('end', () => resolve(Buffer.concat(chunks)));
    s.on('error', reject);
  });
}

/** tcp, the reply as UTF-8 text (NUL terminator included). */
export async function tcpText(port: number, request: string, host?: string): Promise<string> {
  return (await tcp(port, request, host)).toString('utf8');
}

/** A cgminer JSON request; checks the NUL terminator and mends bmminer's "}{" before parsing. */
export async function cgminer(
  port: number,
  command: string,
  parameter?: string,
): Promise<Record<string, unknown>> {
  const raw = await tcp(port, JSON.stringify(parameter === undefined ? { command } : { command, parameter }));
  expect(raw[raw.length - 1]).toBe(0);
  return JSON.parse(raw.subarray(0, -1).toString('utf8').replace('}{', '},{')) as Record<string, unknown>;
}

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

/** A digest-authenticated request (root/root), computed here rather than with the fleet client. */
export async function digestFetch(url: string, init: RequestInit = {}): Promise<Response> {
  const first = await fetch(url, init);
  if (first.status !== 401) return first;
  const h = first.headers.get('www-authenticate') ?? '';
  const realm = /realm="([^"]*)"/.exec(h)?.[1] ?? '';
  const nonce = /nonce="([^"]*)"/.exec(h)?.[1] ?? '';
  const uri = new URL(url).pathname;
  const cnonce = randomBytes(8).toString('hex');
  const ha1 = md5(`root:${realm}:root`);
  const ha2 = md5(`${init.method ?? 'GET'}:${uri}`);
  const response = md5(`${ha1}:${nonce}:00000001:${cnonce}:auth:${ha2}`);
  const auth = `Digest username="root", realm="${realm}", nonce="${nonce}", uri="${uri}", qop=auth, nc=00000001, cnonce="${cnonce}", response="${response}"`;
  return fetch(url, { ...init, headers: { ...(init.headers ?? {}), Authorization: auth } });
}
