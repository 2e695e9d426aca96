import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { ShareRejectCode } from '@farmhand/core/uplink';
import { ShareStore } from '../../agent/src/store/index.js';
import {
  Backoff,
  UplinkClient,
  parseUpstreamUrl,
  type ShareAck,
  type ShareRecord,
  type UplinkUrl,
  type UpstreamWork,
} from '../../agent/src/upstream/index.js';
import { UplinkPeer, testJobMessage, waitFor } from '../support/uplink-peer.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function captureLogger() {
  const lines: { level: number; msg: string; reason?: string }[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(JSON.parse(chunk.toString()) as { level: number; msg: string });
      cb();
    },
  });
  return { logger: pino({ level: 'warn' }, stream), lines };
}

async function setup(token = 's3cret', peerOpts: { difficulty?: number } = {}) {
  const peer = new UplinkPeer({ tokens: { 'farm-7': 's3cret' }, ...peerOpts }, testJobMessage(0x1f, true, 1));
  const port = await peer.listen();
  cleanups.push(() => peer.close());
  const url = parseUpstreamUrl(`farmhand+tcp://farm-7:${token}@127.0.0.1:${port}`);
  if (!url.ok) throw new Error(url.error.message);
  const log = captureLogger();
  const client = new UplinkClient({
    name: 'gw',
    url: url.value as UplinkUrl,
    logger: log.logger,
    backoff: new Backoff(20, 200),
    batchDelayMs: 20,
  });
  const works: UpstreamWork[] = [];
  const acks: ShareAck[] = [];
  client.on('work', (w: UpstreamWork) => works.push(w));
  client.on('ack', (a: ShareAck[]) => acks.push(...a));
  cleanups.push(() => client.close());
  return { peer, port, client, works, acks, log };
}

function record(seq: number, over: Partial<ShareRecord> = {}): ShareRecord {
  return {
    seq,
    account: 'acme',
    worker: `w${seq % 3}`,
    jobId: '0000001f',
    extranonce2: seq.toString(16).padStart(16, '0'),
    ntime: '6553f102',
    nonce: seq.toString(16).padStart(8, '0'),
    difficulty: 2,
    block: false,
    at: 0,
    ...over,
  };
}

describe('UplinkClient', () => {
  it('handshake with the right token gives work in the gateway extranonce space', async () => {
    const { client, works, peer } = await setup();
    let up = 0;
    client.on('up', () => up++);
    client.connect();
    await waitFor(() => works.length === 1, 'work');
    expect(up).toBe(1);
    expect(works[0]).toMatchObject({
      extranonce1: 'a1b2c3d4',
      extranonce2Size: 8,
      difficulty: 1,
      versionMask: 0x1fffe000,
    });
    expect(works[0]!.job).toMatchObject({
      jobId: '0000001f',
      ntime: '6553f100',
      nbits: '207fffff',
      cleanJobs: true,
    });
    expect(client.state().connected).toBe(true);
    await waitFor(() => client.state().latencyMs !== undefined, 'pong');
    peer.setJob(testJobMessage(0x20, false));
    await waitFor(() => works.length === 2, 'second job');
    expect(works[1]!.job.jobId).toBe('00000020');
  });

  it('a wrong token gets a clear error and no work', async () => {
    const { client, works, peer, log } = await setup('wrong');
    let up = 0;
    client.on('up', () => up++);
    client.connect();
    await waitFor(() => peer.authFailures >= 1 && client.state().lastError !== undefined, 'auth failure');
    expect(client.state().lastError).toMatch(/refused agent farm-7: authentication failed.*check the token/);
    expect(log.lines.some((l) => l.level >= 50 && /authentication failed/.test(l.reason ?? ''))).toBe(true);
    expect(works).toEqual([]);
    expect(up).toBe(0);
    expect(client.state().connected).toBe(false);
  });

  it('shares go in batches with worker EVENTs first, and come back as per-record acks', async () => {
    const { client, works, acks, peer } = await setup();
    client.connect();
    await waitFor(() => works.length === 1, 'work');
    peer.verdict = (r) => (r.seq === 4 ? ShareRejectCode.Duplicate : undefined);
    client.submitShares([1, 2, 3, 4, 5, 6].map((s) => record(s)));
    client.submitShares([record(7, { shareDifficulty: 0.5, difficulty: 0.5 })]); // below the job's 1
    client.submitShares([record(8, { jobId: '000000ff' })]); // never sent by the gateway
    client.submitShares([record(2)]); // already queued: sent once
    await waitFor(() => acks.length === 8, 'acks');
    expect(peer.sharesFrames).toBe(1);
    expect(peer.recordsReceived).toBe(6);
    const bySeq = new Map(acks.map((a) => [a.seq, a]));
    expect([1, 2, 3, 5, 6].every((s) => bySeq.get(s)?.accepted)).toBe(true);
    expect(bySeq.get(4)).toMatchObject({ accepted: false, reason: 'duplicate' });
    expect(bySeq.get(7)).toMatchObject({ accepted: false, reason: 'below-upstream-target' });
    expect(bySeq.get(8)).toMatchObject({ accepted: false, reason: 'job-not-found' });
    expect(peer.order.filter((t) => t !== 'ping').slice(0, 4)).toEqual(['event', 'event', 'event', 'shares']);
    expect(peer.events.map((e) => e.name).sort()).toEqual(['acme.w0', 'acme.w1', 'acme.w2']);
    const credited = [...peer.credited.values()];
    expect(credited.map((c) => c.workerName)).toEqual([
      'acme.w1',
      'acme.w2',
      'acme.w0',
      'acme.w2',
      'acme.w0',
    ]);
    expect(credited[0]).toMatchObject({ ntimeDelta: 2, nonce: 1 });
  });

  it('a block goes out at once, ahead of queued shares, with the full header and coinbase', async () => {
    const { client, works, peer, acks } = await setup();
    client.connect();
    await waitFor(() => works.length === 1, 'work');
    client.submitShares([record(1)]);
    client.submitShares([record(2, { block: true, versionBits: '00006000' })]);
    await waitFor(() => acks.length === 2, 'acks');
    expect(peer.order.filter((t) => t !== 'event' && t !== 'ping')).toEqual(['block', 'shares']);
    const b = peer.blocks[0]!;
    expect(b.seq).toBe(2);
    expect(b.header.length).toBe(80);
    expect(Buffer.from(b.coinbase).toString('hex')).toBe(
      '0100000001' + 'a1b2c3d4' + '0000000000000002' + 'ffffffff00',
    );
    expect(new DataView(b.header.buffer, b.header.byteOffset).getUint32(0, true)).toBe(0x20006000);
    expect(peer.sharesFrames).toBe(1);
  });

  it('replays un-acked shares from the store after the gateway drops the link: credited exactly once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fh-uplink-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const opened = ShareStore.open(join(dir, 'agent.db'));
    if (!opened.ok) throw new Error(opened.error.message);
    const store = opened.value;
    cleanups.push(() => store.close());
    const { client, works, peer } = await setup();
    // The wiring the agent will have: replay the store on 'up', delete on 'ack'.
    client.on('up', () => client.submitShares(store.pending(10_000)));
    client.on('ack', (a: ShareAck[]) => store.ack(a.map((x) => x.seq)));
    client.connect();
    await waitFor(() => works.length === 1, 'work');
    peer.holdAcks = true;
    const submit = (n: number) => {
      const seqs: number[] = [];
      for (let i = 0; i < n; i++) {
        const r = record(0);
        const { seq: _seq, ...rest } = r;
        const a = store.append({ ...rest, nonce: (1000 + store.depth).toString(16).padStart(8, '0') });
        if (!a.ok) throw new Error(a.error.message);
        seqs.push(a.value);
      }
      client.submitShares(store.pending(10_000).filter((r) => seqs.includes(r.seq)));
    };
    submit(20);
    await waitFor(() => peer.recordsReceived === 20, 'first delivery');
    expect(store.depth).toBe(20);
    peer.holdAcks = false;
    peer.dropAll();
    await waitFor(() => peer.sessionsOpened === 2 && store.depth === 0, 'replay and acks');
    expect(peer.recordsReceived).toBe(40); // every record went twice...
    expect(peer.credited.size).toBe(20); // ...and was credited once
    submit(5);
    await waitFor(() => store.depth === 0, 'new shares acked');
    expect(peer.credited.size).toBe(25);
    expect(new Set([...peer.credited.values()].map((c) => c.seq)).size).toBe(25);
  });

  it('corrupt frames from the gateway: the client closes, logs the error and reconnects', async () => {
    const { client, works, peer, log } = await setup();
    let down = 0;
    client.on('down', () => down++);
    client.connect();
    await waitFor(() => works.length === 1, 'work');
    const frame = Buffer.from('46485550013000000000000b00000008255cf9090000018bcfe56800', 'hex');
    frame[frame.length - 1] = frame[frame.length - 1]! ^ 0xff; // PING with a flipped body byte: CRC mismatch
    peer.sendRaw(frame);
    await waitFor(() => down === 1 && peer.sessionsOpened === 2 && works.length === 2, 'reconnect');
    expect(client.state().connected).toBe(true);
    const err = log.lines.find((l) => l.msg === 'closing the uplink');
    expect(err?.reason).toMatch(/corrupt frame from the gateway \(BAD_CRC\)/);
    peer.sendRaw(Buffer.from('GET / HTTP/1.1\r\n\r\n.....'));
    await waitFor(() => down === 2 && works.length === 3, 'second reconnect');
    expect(log.lines.some((l) => /BAD_MAGIC/.test(l.reason ?? ''))).toBe(true);
  });
});

describe('UplinkClient extras', () => {
  it('farmhand+tls: the handshake runs over TLS, verified against the gateway certificate', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fh-tls-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=gateway.test',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    const cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
    const peer = new UplinkPeer(
      { tokens: { 'farm-7': 's3cret' }, tls: { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert } },
      testJobMessage(0x1f),
    );
    const port = await peer.listen();
    cleanups.push(() => peer.close());
    const make = (ca?: string) => {
      const client = new UplinkClient({
        name: 'gw-tls',
        url: url(`farmhand+tls://farm-7:s3cret@127.0.0.1:${port}`),
        logger: pino({ level: 'silent' }),
        backoff: new Backoff(20, 200),
        ...(ca ? { tls: { ca } } : {}),
      });
      cleanups.push(() => client.close());
      return client;
    };
    const trusted = make(cert);
    const works: UpstreamWork[] = [];
    trusted.on('work', (w: UpstreamWork) => works.push(w));
    trusted.connect();
    await waitFor(() => works.length === 1, 'work over TLS');
    expect(peer.sessionsOpened).toBe(1);
    const untrusted = make();
    untrusted.connect();
    await waitFor(() => untrusted.state().lastError !== undefined, 'certificate refusal');
    expect(untrusted.state().lastError).toMatch(/self-signed|certificate/i);
    expect(peer.sessionsOpened).toBe(1);
  });

  it('sends STATUS periodically and worker connect/disconnect EVENTs with one index per name', async () => {
    const peer = new UplinkPeer({ tokens: { 'farm-7': 's3cret' } }, testJobMessage(0x1f));
    const port = await peer.listen();
    cleanups.push(() => peer.close());
    const client = new UplinkClient({
      name: 'gw',
      url: url(`farmhand+tcp://farm-7:s3cret@127.0.0.1:${port}`),
      logger: pino({ level: 'silent' }),
      statusIntervalMs: 30,
      status: () => ({ miners: 200, hashrate: 2.5e16, bufferDepth: 7 }),
    });
    cleanups.push(() => client.close());
    client.on('up', () => {
      client.sendEvent({ kind: 'connect', name: 'acme.rig1', peer: '10.0.0.17:4028' });
      client.sendEvent({ kind: 'authorize', name: 'acme.rig2', peer: '10.0.0.18:4028' });
      client.sendEvent({ kind: 'disconnect', name: 'acme.rig1', peer: '10.0.0.17:4028' });
    });
    client.connect();
    await waitFor(() => peer.statuses.length >= 2 && peer.events.length === 4, 'status and events');
    expect(peer.statuses[0]).toMatchObject({ miners: 200, hashrate: 2.5e16, bufferDepth: 7 });
    expect(peer.events.map((e) => [e.kind, e.worker, e.name])).toEqual([
      ['authorize', 0, 'acme.rig1'],
      ['connect', 0, 'acme.rig1'],
      ['authorize', 1, 'acme.rig2'],
      ['disconnect', 0, 'acme.rig1'],
    ]);
    expect(peer.events[1]!.peer).toBe('10.0.0.17:4028');
  });
});

function url(text: string): UplinkUrl {
  const r = parseUpstreamUrl(text);
  if (!r.ok) throw new Error(r.error.message);
  return r.value as UplinkUrl;
}
