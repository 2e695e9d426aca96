import { afterEach, describe, expect, it } from 'vitest';
import * as antminerWeb from '../../../agent/src/fleet/antminer-web.js';
import * as axeos from '../../../agent/src/fleet/axeos-client.js';
import { cgminerCommand, exchange, whatsminerV3Command } from '../../../agent/src/fleet/cgminer-client.js';
import { digestAuthorization, parseDigestChallenge } from '../../../agent/src/fleet/http-client.js';
import { addAndSwitchPool } from '../../../agent/src/fleet/luxos-session.js';
import { updatePools } from '../../../agent/src/fleet/whatsminer-client.js';
import { encryptCommand, md5Crypt, whatsminerSession } from '../../../agent/src/fleet/whatsminer-crypto.js';
import { readFixture, readFixtureJson } from '../../support/fixtures.js';
import { cgminerServer, garbageServer, httpServer, silentServer, type Listening } from './replay-servers.js';
import { createServer } from 'node:net';

const open: Listening[] = [];
async function track(l: Promise<Listening>): Promise<Listening> {
  const s = await l;
  open.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

const REALM = 'antMiner Configuration';

describe('cgminer TCP client', () => {
  it('sends JSON, reads to the NUL, parses the quirky reply', async () => {
    const dev = await track(
      cgminerServer({
        stats: readFixture('asics/antminer-stock/foreman-d3-stats.txt'),
        version: readFixture('asics/antminer-stock/foreman-d3-version.txt'),
      }),
    );
    const r = await cgminerCommand(dev, 'stats');
    expect(r.ok).toBe(true);
    if (r.ok && r.value.form === 'json') {
      expect(r.value.repairs).toEqual(expect.arrayContaining(['nul-stripped', 'missing-comma']));
      expect((r.value.data.STATS as unknown[]).length).toBe(2);
    }
    expect(dev.requests).toEqual(['{"command":"stats"}']);
  });

  it('sends the plain `cmd|param` form and reads cgminer text back', async () => {
    const dev = await track(
      cgminerServer({ ascset: readFixture('asics/avalon/foreman-1047-ascset-setpool-reply.txt') }),
    );
    const r = await cgminerCommand(dev, 'ascset', {
      plain: true,
      parameter: '0,setpool,root,root,0,stratum+tcp://btc.ss.poolin.com:443,cctrix.001,123',
    });
    expect(dev.requests[0]).toBe(
      'ascset|0,setpool,root,root,0,stratum+tcp://btc.ss.poolin.com:443,cctrix.001,123',
    );
    expect(r.ok && r.value.status?.code).toBe(118);
  });

  it('refused, hanging and oversized answers are typed errors', async () => {
    const hang = await track(silentServer());
    const t = await cgminerCommand(hang, 'version', { timeoutMs: 150 });
    expect(!t.ok && t.error.code).toBe('TIMEOUT');

    const closed = await track(silentServer());
    const port = closed.port;
    await closed.close();
    open.pop();
    const refused = await cgminerCommand({ host: '127.0.0.1', port }, 'version', { timeoutMs: 1000 });
    expect(!refused.ok && refused.error.code).toBe('CONNECT_REFUSED');

    const big = await track(garbageServer(Buffer.alloc(300_000, 0x41)));
    const tooBig = await cgminerCommand(big, 'version', { maxBytes: 65_536 });
    expect(!tooBig.ok && tooBig.error.code).toBe('REPLY_TOO_LARGE');

    const junk = await track(garbageServer(Buffer.from([0x16, 0x03, 0x01, 0x00, 0x05, 0xff, 0xfe, 0x00])));
    const j = await cgminerCommand(junk, 'version');
    expect(!j.ok && j.error.code).toBe('UNREADABLE_REPLY');
  });

  it('btminer v3: 4-byte little-endian length frames both ways', async () => {
    const body = readFixture('asics/whatsminer/asicrs-btminer-apiv3-get-device-info.json');
    let got = '';
    let frame = Buffer.alloc(0);
    const server = createServer((s) => {
      s.once('data', (c) => {
        frame = c;
        got = c.subarray(4, 4 + c.readUInt32LE(0)).toString();
        const b = Buffer.from(body);
        const head = Buffer.alloc(4);
        head.writeUInt32LE(b.length, 0);
        s.write(Buffer.concat([head, b])); // keeps the socket open: the frame length ends the read
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const addr = server.address() as { port: number };
    const r = await whatsminerV3Command(
      { host: '127.0.0.1', port: addr.port },
      'get.device.info',
      undefined,
      { timeoutMs: 2000 },
    );
    server.close();
    expect(JSON.parse(got)).toEqual({ cmd: 'get.device.info' });
    expect(frame.toString('hex')).toBe('190000007b22636d64223a226765742e6465766963652e696e666f227d');
    expect(
      r.ok &&
        r.value.form === 'json' &&
        (r.value.data.msg as Record<string, Record<string, unknown>>).miner?.type,
    ).toBe('M60S_VK40');
  });

  it('exchange never rejects on an unreachable host name', async () => {
    const r = await exchange({ host: 'no-such-host.invalid', port: 4028 }, 'x', 'nul-or-close', {
      timeoutMs: 1000,
    });
    expect(r.ok).toBe(false);
  });
});

describe('HTTP Digest (stock Antminer CGI)', () => {
  it('computes the RFC 2617 example response', () => {
    // RFC 2617 section 3.5 test vector.
    const c = parseDigestChallenge(
      'Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"',
    );
    expect(c).not.toBeNull();
    const h = digestAuthorization(
      c!,
      'GET',
      '/dir/index.html',
      'Mufasa',
      'Circle Of Life',
      '0a4f113b',
      '00000001',
    );
    expect(h).toContain('response="6629fae49393a05397450978507c4ef1"');
  });

  it('reads get_system_info and get_miner_conf (with its `"key" : ,` quirk) behind Digest auth', async () => {
    const dev = await track(
      httpServer(
        {
          'GET /cgi-bin/get_system_info.cgi': () => ({
            status: 200,
            body: readFixture('asics/antminer-stock/foreman-l3-get-system-info.txt'),
          }),
          'GET /cgi-bin/get_miner_conf.cgi': () => ({
            status: 200,
            body: readFixture('asics/antminer-stock/foreman-s19-pro-new-get-miner-conf.txt'),
          }),
        },
        { digest: { realm: REALM, user: 'root', password: 'root' } },
      ),
    );
    const info = await antminerWeb.getSystemInfo(dev, { user: 'root', password: 'root' });
    expect(info.ok && info.value.minertype).toBe('Antminer L3+');
    expect(info.ok && info.value.macaddr).toBe('C4:F3:12:B3:9F:FC');
    const conf = await antminerWeb.getMinerConf(dev, { user: 'root', password: 'root' });
    expect(conf.ok && conf.value['bitmain-fan-ctrl']).toBeNull();
    const wrong = await antminerWeb.getSystemInfo(dev, { user: 'root', password: 'nope' });
    expect(!wrong.ok && wrong.error.code).toBe('UNAUTHORIZED');
  });

  it('sets pools on an old (form) Antminer: every slot, other settings kept, reply "ok"', async () => {
    const dev = await track(
      httpServer(
        {
          'GET /cgi-bin/get_miner_conf.cgi': () => ({
            status: 200,
            body: readFixture('asics/antminer-stock/foreman-l3-get-miner-conf.txt'),
          }),
          'POST /cgi-bin/set_miner_conf.cgi': () => ({
            status: 200,
            headers: { 'Content-Type': 'text/plain' },
            body: readFixture('asics/antminer-stock/foreman-l3-set-miner-conf.txt'),
          }),
        },
        { digest: { realm: REALM, user: 'root', password: 'root' } },
      ),
    );
    const r = await antminerWeb.setPools(dev, { user: 'root', password: 'root' }, [
      { url: 'stratum+tcp://127.0.0.1:3333', user: 'farm.10-0-0-5', pass: 'x' },
    ]);
    expect(r).toEqual({ ok: true, value: 'applied' });
    const post = dev.requests.find((q) => q.startsWith('POST') && q.includes('_ant_pool1url'));
    expect(post).toBeDefined();
    const form = new URLSearchParams(post!.split(' ').slice(2).join(' '));
    expect(form.get('_ant_pool1url')).toBe('stratum+tcp://127.0.0.1:3333');
    expect(form.get('_ant_pool1user')).toBe('farm.10-0-0-5');
    expect(form.get('_ant_pool2url')).toBe('');
    expect(form.get('_ant_freq')).not.toBeNull();
  });
});

describe('AxeOS REST', () => {
  it('reads /api/system/info, PATCHes only the pool fields, then restarts', async () => {
    const dev = await track(
      httpServer({
        'GET /api/system/info': () => ({
          status: 200,
          body: readFixture('asics/axeos/osmu-gamma-601-v2.12.2-system-info.json'),
        }),
        'PATCH /api/system': () => ({ status: 200, body: '{"status":"success"}' }),
        'POST /api/system/restart': () => ({
          status: 200,
          body: '{"message":"System will restart shortly."}',
        }),
      }),
    );
    const info = await axeos.getSystemInfo(dev);
    expect(info.ok && info.value.ASICModel).toBe('BM1370');
    const { host, port } = axeos.splitStratumUrl('stratum+tcp://127.0.0.1:3333');
    const r = await axeos.setPools(dev, {
      stratumURL: host,
      stratumPort: port ?? 0,
      stratumUser: 'bc1q.bitaxe',
    });
    expect(r.ok).toBe(true);
    expect(dev.requests.slice(1)).toEqual([
      'PATCH /api/system {"stratumURL":"127.0.0.1","stratumPort":3333,"stratumUser":"bc1q.bitaxe"}',
      'POST /api/system/restart',
    ]);
  });
});

describe('Whatsminer write commands', () => {
  const token = { time: '6915', salt: 'BQ5hoXV9', newsalt: 'a5TtWui2' };
  const foremanRequest = readFixtureJson<{ files: { file: string; request: string }[] }>(
    'asics/manifest.json',
  )
    .files.find((f) => f.file === 'whatsminer/foreman-new-firmware-none.txt')!
    .request.replace(/^TCP 4028: /, '');
  const pools = [1, 2, 3].map((n) => ({
    url: `stratum+tcp://my-test-pool${n}.com:5588`,
    worker: `my-test-username${n}`,
    passwd: `my-test-password${n}`,
  }));

  it('md5-crypt matches the $1$ reference (openssl passwd -1 -salt BQ5hoXV9 admin)', () => {
    expect(md5Crypt('admin', 'BQ5hoXV9')).toBe('$1$BQ5hoXV9$RxmaDUO33TS7O26yeMHZ81');
  });

  it('reproduces the real encrypted update_pools request byte for byte', () => {
    const s = whatsminerSession('my-auth-password', token);
    const cmd: Record<string, unknown> = { cmd: 'update_pools' };
    pools.forEach((p, i) =>
      Object.assign(cmd, {
        [`pool${i + 1}`]: p.url,
        [`worker${i + 1}`]: p.worker,
        [`passwd${i + 1}`]: p.passwd,
      }),
    );
    expect(encryptCommand(s, cmd)).toBe(foremanRequest);
  });

  it('get_token then the encrypted command against a replaying device; decrypts its real reply', async () => {
    const dev = await track(
      cgminerServer({
        get_token: readFixture('asics/whatsminer/foreman-new-firmware-get-token.txt'),
        // The device only answers the exact bytes a correct client sends.
        enc: (req) =>
          req === foremanRequest
            ? readFixture('asics/whatsminer/foreman-new-firmware-none.txt')
            : '{"STATUS":"E","Code":23,"Msg":"invalid token"}',
      }),
    );
    const r = await updatePools(dev, 'my-auth-password', pools);
    expect(r.ok && r.value).toMatchObject({ STATUS: 'S', Code: 131 });
    const bad = await updatePools(dev, 'admin', pools);
    expect(!bad.ok && bad.error.code).toBe('COMMAND_FAILED');
  });

  it('a unit with the write API off is WRITE_API_DISABLED', async () => {
    const dev = await track(
      cgminerServer({
        get_token: readFixture('asics/whatsminer/foreman-new-firmware-get-token.txt'),
        enc: readFixture('asics/whatsminer/foreman-new-firmware-no-write-api-none.txt'),
      }),
    );
    const r = await updatePools(dev, 'my-auth-password', pools);
    expect(!r.ok && r.error.code).toBe('WRITE_API_DISABLED');
  });
});

describe('LuxOS session', () => {
  it('logon, addpool and switchpool with the session id first, then logoff', async () => {
    const ok = (msg: string) =>
      `{"STATUS":[{"STATUS":"S","When":1,"Code":1,"Msg":"${msg}","Description":"LUXminer 2025.4.8"}],"id":1}`;
    const dev = await track(
      cgminerServer({
        logon:
          '{"STATUS":[{"STATUS":"S","When":1,"Code":1,"Msg":"Session created","Description":"LUXminer 2025.4.8"}],"SESSION":[{"SessionID":"s3ss10n"}],"id":1}',
        pools: readFixture('asics/antminer-stock/foreman-s19-overheating-pools.txt'),
        addpool: ok('Added pool'),
        switchpool: ok('Switching to pool 3'),
        logoff: ok('Session closed'),
      }),
    );
    const r = await addAndSwitchPool(dev, 'stratum+tcp://127.0.0.1:3333', 'farm.w1', 'x');
    expect(r).toEqual({ ok: true, value: 3 });
    expect(dev.requests.map((q) => JSON.parse(q) as unknown)).toEqual([
      { command: 'logon' },
      { command: 'pools' },
      { command: 'addpool', parameter: 's3ss10n,stratum+tcp://127.0.0.1:3333,farm.w1,x' },
      { command: 'switchpool', parameter: 's3ss10n,3' },
      { command: 'logoff', parameter: 's3ss10n' },
    ]);
  });

  it('a refused logon (another session open) is LOGON_REFUSED', async () => {
    const dev = await track(
      cgminerServer({
        logon:
          '{"STATUS":[{"STATUS":"E","When":1,"Code":2,"Msg":"Another session is active","Description":"LUXminer"}],"id":1}',
      }),
    );
    const r = await addAndSwitchPool(dev, 'stratum+tcp://127.0.0.1:3333', 'w', 'x');
    expect(!r.ok && r.error.code).toBe('LOGON_REFUSED');
  });
});
