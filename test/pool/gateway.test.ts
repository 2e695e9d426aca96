import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { hex32 } from '@farmhand/core/stratum';
import { ShareRejectCode, UplinkErrorCode } from '@farmhand/core/uplink';
import { parseGatewayConfig, type GatewayConfigInput } from '../../pool/src/gateway/config.js';
import { startGateway, type RunningGateway } from '../../pool/src/gateway/gateway.js';
import { freePort } from '../support/redis.js';
import { TestAgent, TestJobmaster, TestMiner, jmJob, mineRecord, until } from './gateway-peers.js';

const log = pino({ level: 'silent' });
const D = 1e-6; // about 4300 hashes per share: real nonce search, quick in JS
const TOKEN = 'agent-7-secret-token';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function setup(over: Partial<GatewayConfigInput> = {}, job = jmJob('1a', { bits: '1d00ffff' })) {
  const jm = new TestJobmaster(job);
  await jm.listen();
  cleanup.push(() => jm.close());
  return { jm, ...(await gatewayOn(jm, over)) };
}

async function gatewayOn(jm: TestJobmaster, over: Partial<GatewayConfigInput> = {}, waitForJob = true) {
  const dir = mkdtempSync(join(tmpdir(), 'farmhand-gw-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  const c = parseGatewayConfig({
    name: 'gw-test',
    host: 'gw-test.local',
    coin: 'btc',
    stratum: { host: '127.0.0.1', port: 0 },
    uplink: { host: '127.0.0.1', port: 0 },
    agents: [{ id: 'farm-7', token: TOKEN }],
    agentDifficulty: D,
    jobmaster: [`127.0.0.1:${jm.port}`],
    metawriter: `127.0.0.1:${await freePort()}`,
    startDifficulty: D,
    minDifficulty: D,
    spool: { dir },
    logLevel: 'silent',
    ...over,
  });
  if (!c.ok) throw new Error(c.error.message);
  const gw = await startGateway(c.value, log);
  cleanup.push(() => gw.stop());
  if (waitForJob) await until(() => gw.work.current, 5000, 'the first job at the gateway');
  return { gw, dir };
}

function miner(gw: RunningGateway, user = 'alice.rig1'): TestMiner {
  const m = new TestMiner(gw.stratumPort, user);
  cleanup.push(() => m.close());
  return m;
}

function agent(gw: RunningGateway): TestAgent {
  const a = new TestAgent(gw.uplinkPort);
  cleanup.push(() => a.close());
  return a;
}

describe('gateway: direct Stratum miners', () => {
  it('hands out the job under its own id and judges real shares (valid, low difficulty, duplicate)', async () => {
    const { gw } = await setup();
    const m = miner(gw);
    await m.start(`x,d=${D}`);
    expect(m.extranonce1).toMatch(/^00[0-9a-f]{6}$/); // the gateway's prefix "00" + a 3-byte counter
    expect(m.extranonce2Size).toBe(8);
    expect(m.job!.jobId).toBe(gw.work.current!.id);
    expect(m.job!.jobId).toMatch(/^[0-9a-f]{8}$/);

    const good = await m.submit();
    expect(good.ok).toBe(true);
    const low = await m.submit({ bad: true });
    expect(low.ok).toBe(false);
    expect((low.reply.error as unknown[])[0]).toBe(23);
    const dup = await m.submit({ repeat: { en2: good.en2, nonce: good.nonce } });
    expect((dup.reply.error as unknown[])[0]).toBe(22);
    expect(gw.counters).toMatchObject({ sharesAccepted: 1, sharesRejected: 2 });
  });

  it('a new job reaches every miner; a jobmaster restart brings a clean job; silence brings a re-notify', async () => {
    const { jm, gw } = await setup({ rebroadcastSeconds: 1 });
    const a = miner(gw, 'alice.a');
    const b = miner(gw, 'bob.b');
    await Promise.all([a.start(), b.start()]);
    const before = a.notifies;
    await until(() => a.notifies > before, 5000, 're-notify after silence');
    expect(a.job!.cleanJobs).toBe(false);

    const first = gw.work.current!.id;
    jm.push(jmJob('1b', { bits: '1d00ffff', clean: false }));
    const second = await until(
      () => gw.work.current!.id !== first && gw.work.current!.id,
      5000,
      'the new job at the gateway',
    );
    await until(() => a.job?.jobId === second && b.job?.jobId === second, 5000, 'the new job at the miners');

    const port = jm.port;
    await jm.close();
    const jm2 = new TestJobmaster(jmJob('1', { bits: '1d00ffff', clean: false }));
    await jm2.listen(port);
    cleanup.push(() => jm2.close());
    await until(
      () => a.job && a.job.jobId !== second && b.job?.jobId === a.job.jobId,
      10_000,
      'the job after the restart',
    );
    // The first job on a fresh link is announced clean even though the jobmaster said not.
    const id = a.job!.jobId;
    expect(
      a.messages.some((m) => m.method === 'mining.notify' && m.params![0] === id && m.params![8] === true),
    ).toBe(true);
    expect((await a.submit()).ok).toBe(true);
  });

  it('closes and bans a client that sends malformed lines; refuses past the per-IP limit', async () => {
    const { gw } = await setup({ bans: { maxMalformedLines: 3, minutes: 1 }, maxConnectionsPerIp: 3 });
    const bad = miner(gw);
    await new Promise<void>((r) => bad.socket.once('connect', () => r()));
    bad.socket.write('not json\n{"x":1}\nnope\n');
    await until(() => bad.closed, 5000, 'the abusive client to be closed');
    const again = miner(gw);
    await until(() => again.closed, 5000, 'the banned IP to be refused');
    expect(again.messages).toEqual([]);
  });

  it('bans a miner whose shares are mostly invalid', async () => {
    const { gw } = await setup();
    const m = miner(gw);
    await m.start(`d=${D}`);
    let replies = 0;
    while (!m.closed && replies < 60) {
      await m.submit({ bad: true }).catch(() => undefined);
      replies += 1;
    }
    await until(() => m.closed, 5000, 'the invalid-share guard to close the miner');
    expect(replies).toBeGreaterThanOrEqual(50); // judged only once its 50-share window is full
    const again = miner(gw);
    await until(() => again.closed, 5000, 'the banned IP to be refused');
  });

  it('uses the next jobmaster of the list when the first is down', async () => {
    const jm = new TestJobmaster(jmJob('3', { bits: '1d00ffff' }));
    await jm.listen();
    cleanup.push(() => jm.close());
    const dead = await freePort();
    const { gw } = await gatewayOn(jm, { jobmaster: [`127.0.0.1:${dead}`, `127.0.0.1:${jm.port}`] });
    expect(gw.work.current!.source.job.jobId).toBe('3');
  });

  it('refuses connections past the per-IP limit with a reason', async () => {
    const { gw } = await setup({ maxConnectionsPerIp: 2 });
    const a = miner(gw);
    const b = miner(gw);
    await Promise.all([a.start(), b.start()]);
    const c = miner(gw);
    await until(() => c.closed, 5000, 'the third connection to be refused');
    expect(JSON.stringify(c.messages)).toContain('more than 2 connections');
    expect((await a.submit()).ok).toBe(true);
  });
});

describe('gateway: uplink agents', () => {
  it('authenticates, sends WELCOME + JOB, judges every record, and acks a replay without counting it', async () => {
    const { gw } = await setup();
    const ag = agent(gw);
    const w = await ag.login('farm-7', TOKEN);
    expect(w.extranoncePrefix.length).toBe(4);
    expect(w.extranonce2Size).toBe(8);
    expect(w.difficulty).toBe(D);
    const jobMsg = await until(() => ag.lastJob(), 5000, 'JOB');
    expect(hex32(jobMsg.jobId)).toBe(gw.work.current!.id);
    const job = gw.work.current!.stratum;
    const prefix = Buffer.from(w.extranoncePrefix).toString('hex');

    ag.send({
      type: 'event',
      kind: 'authorize',
      worker: 3,
      name: 'acme.rack1',
      peer: '10.0.0.17:4028',
      at: 1,
    });
    const valid1 = mineRecord(job, prefix, 8, 100, 3, D);
    const low = mineRecord(job, prefix, 8, 101, 3, D, true);
    const valid2 = mineRecord(job, prefix, 8, 102, 3, D);
    const dup = { ...valid1, seq: 103 };
    const unknownWorker = { ...mineRecord(job, prefix, 8, 104, 3, D), worker: 9 };
    const records = [valid1, low, valid2, dup, unknownWorker];
    const f1 = ag.send({ type: 'shares', extranonce2Size: 8, records });
    const ack = await ag.ackFor(f1);
    expect(ack.count).toBe(5);
    expect(ack.rejected).toEqual([
      { index: 1, code: ShareRejectCode.LowDifficulty },
      { index: 3, code: ShareRejectCode.Duplicate },
      { index: 4, code: ShareRejectCode.UnknownWorker },
    ]);
    expect(gw.counters.sharesAccepted).toBe(2);

    // The ACK was "lost": the agent reconnects and replays the batch. Same verdicts, nothing counted twice.
    ag.close();
    const again = agent(gw);
    const w2 = await again.login('farm-7', TOKEN);
    expect(Buffer.from(w2.extranoncePrefix).toString('hex')).toBe(prefix); // sticky per agent id
    again.send({ type: 'event', kind: 'authorize', worker: 3, name: 'acme.rack1', peer: '', at: 2 });
    const f2 = again.send({ type: 'shares', extranonce2Size: 8, records });
    const ack2 = await again.ackFor(f2);
    expect(ack2.rejected).toEqual(ack.rejected);
    expect(gw.counters.sharesAccepted).toBe(2);
    expect(gw.agents.counters.replays).toBe(5);
  });

  it('refuses a wrong token and an unknown agent id with ERROR 3 and closes', async () => {
    const { gw } = await setup();
    for (const [id, token] of [
      ['farm-7', 'wrong-token-123'],
      ['nobody', TOKEN],
    ] as const) {
      const ag = agent(gw);
      await expect(ag.login(id, token)).rejects.toThrow(/refused/);
      const err = ag.received.find((m) => m.type === 'error');
      expect(err?.type === 'error' && err.code).toBe(UplinkErrorCode.AuthFailed);
      await until(() => ag.closed, 5000, 'close after ERROR');
    }
    expect(gw.agents.counters.authFailures).toBe(2);
  });

  it('bans an IP after ten failed logins in a row', async () => {
    const { gw } = await setup();
    for (let i = 0; i < 10; i++) {
      const ag = agent(gw);
      await expect(ag.login('farm-7', `guess-${i}-xxxxxxxx`)).rejects.toThrow(/refused/);
    }
    const ag = agent(gw);
    await until(() => ag.closed, 5000, 'the banned IP to be dropped');
    expect(ag.received).toEqual([]);
  });

  it('a corrupt frame closes only that agent', async () => {
    const { gw } = await setup({
      agents: [
        { id: 'farm-7', token: TOKEN },
        { id: 'farm-8', token: TOKEN },
      ],
    });
    const a = agent(gw);
    const b = agent(gw);
    await a.login('farm-7', TOKEN);
    await b.login('farm-8', TOKEN);
    a.sendRaw(Buffer.from('46485550010100000000000900000002deadbeef0000', 'hex')); // wrong CRC
    await until(() => a.closed, 5000, 'the corrupt agent to be closed');
    b.send({ type: 'ping', stamp: 1234 });
    await until(() => b.received.find((m) => m.type === 'pong' && m.stamp === 1234), 5000, 'PONG');
    expect(b.closed).toBe(false);
    expect(gw.agents.counters.corruptFrames).toBe(1);
  });
});

describe('gateway: several side by side', () => {
  it('two gateways on one jobmaster hand out disjoint extranonce spaces and both credit their miners', async () => {
    const { jm, gw } = await setup({ name: 'gw-a', extranoncePrefix: '01' });
    const { gw: gw2 } = await gatewayOn(jm, { name: 'gw-b', extranoncePrefix: '02' });
    expect(jm.hellos).toBe(2);
    const a = miner(gw);
    const b = miner(gw2);
    await Promise.all([a.start(`d=${D}`), b.start(`d=${D}`)]);
    expect(a.extranonce1.slice(0, 2)).toBe('01');
    expect(b.extranonce1.slice(0, 2)).toBe('02');
    // Same jobmaster job underneath, mined in different coinbases.
    expect(gw.work.current!.source.job.jobId).toBe(gw2.work.current!.source.job.jobId);
    expect((await a.submit()).ok).toBe(true);
    expect((await b.submit()).ok).toBe(true);
    expect(gw.counters.sharesAccepted + gw2.counters.sharesAccepted).toBe(2);
  });
});

describe('gateway: uplink extras', () => {
  it('holds an authenticated agent until the first job, then sends WELCOME + JOB', async () => {
    const jm = new TestJobmaster(undefined);
    await jm.listen();
    cleanup.push(() => jm.close());
    const { gw } = await gatewayOn(jm, {}, false);
    const ag = agent(gw);
    const login = ag.login('farm-7', TOKEN);
    await until(() => ag.received.some((m) => m.type === 'challenge'), 5000, 'CHALLENGE');
    await new Promise((r) => setTimeout(r, 200));
    expect(ag.received.some((m) => m.type === 'welcome')).toBe(false);
    jm.push(jmJob('5', { bits: '1d00ffff' }));
    const w = await login;
    expect(w.extranonce2Size).toBe(8);
    await until(() => ag.lastJob(), 5000, 'JOB after WELCOME');
  });

  it('speaks TLS on the uplink when given a certificate', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'farmhand-tls-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const cert = join(dir, 'gw.crt');
    const key = join(dir, 'gw.key');
    const r = spawnSync(
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
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost',
        '-keyout',
        key,
        '-out',
        cert,
      ],
      { encoding: 'utf8' },
    );
    if (r.status !== 0) throw new Error(`openssl is needed for this test: ${r.stderr || r.error?.message}`);
    const { gw } = await setup({ uplink: { host: '127.0.0.1', port: 0, tls: { cert, key } } });
    const ag = new TestAgent(gw.uplinkPort, { ca: readFileSync(cert, 'utf8') });
    cleanup.push(() => ag.close());
    const w = await ag.login('farm-7', TOKEN);
    expect(w.extranoncePrefix.length).toBe(4);
    await until(() => ag.lastJob(), 5000, 'JOB over TLS');
  });
});
