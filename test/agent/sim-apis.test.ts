import { createSocket } from 'node:dgram';
import makeMdns from 'multicast-dns';
import { describe, expect, it } from 'vitest';
import { parseCgminerReply } from '../../agent/src/fleet/cgminer-reply.js';
import { ipReportPayload, type FarmOptions, type MakeName } from '../../agent/src/sim/index.js';
import { cgminer, digestFetch, simHarness, tcp } from './sim-harness.js';

// Device APIs of the simulated miners, over real loopback sockets: cgminer TCP, AxeOS REST,
// Antminer CGI with digest auth, mDNS (unicast only) and the UDP IP report.

const { endpoint, startFarm } = simHarness();

/** Pools a and b, and a farm of one miner per make at 400 kH/s mining on a (the tests move it to b). */
async function farmOnFirstOfTwo(makes: MakeName[], opts: Partial<FarmOptions> = {}) {
  const a = await endpoint();
  const b = await endpoint();
  const farm = await startFarm({
    miners: makes.length,
    makes,
    pools: [`stratum+tcp://127.0.0.1:${a.port}`],
    hashrate: 400_000,
    ...opts,
  });
  return { a, b, farm };
}

describe('simulated device APIs', () => {
  it('cgminer-style API: every make answers with a NUL-terminated reply the fleet parser reads, with live values', async () => {
    const pool = await endpoint();
    const farm = await startFarm({
      miners: 4,
      makes: ['antminer', 'braiins', 'whatsminer', 'avalon'],
      pools: [`stratum+tcp://127.0.0.1:${pool.port}`],
      hashrate: 400_000,
    });
    await pool.until(() => farm.miners.every((m) => m.stats.accepted >= 1), 20_000);
    const [ant, bos, wm, ava] = farm.miners;
    for (const m of farm.miners) {
      for (const cmd of ['summary', 'pools', 'stats', 'devs', 'version', 'config']) {
        const raw = await tcp(m.apiPort!, JSON.stringify({ command: cmd }));
        expect(raw[raw.length - 1]).toBe(0);
        const parsed = parseCgminerReply(raw);
        expect(parsed.ok, `${m.make} ${cmd}`).toBe(true);
      }
    }
    // bmminer stats keeps the "}{" quirk of old firmware.
    const stats = (await tcp(ant!.apiPort!, '{"command":"stats"}')).toString('utf8');
    expect(stats).toContain('"}{"STATS":0');
    const pools = (await cgminer(ant!.apiPort!, 'pools')) as {
      POOLS: { URL: string; User: string; Accepted: number }[];
    };
    expect(pools.POOLS[0]!.URL).toBe(`stratum+tcp://127.0.0.1:${pool.port}`);
    expect(pools.POOLS[0]!.User).toBe(ant!.worker);
    expect(pools.POOLS[0]!.Accepted).toBeGreaterThanOrEqual(1);
    const summary = (await cgminer(bos!.apiPort!, 'summary')) as {
      SUMMARY: { Accepted: number; 'MHS av': number }[];
    };
    expect(summary.SUMMARY[0]!.Accepted).toBeGreaterThanOrEqual(1);
    expect(summary.SUMMARY[0]!['MHS av']).toBeGreaterThan(0);
    // btminer: pools numbered from 1; "version" refused with its flat error.
    const wmPools = (await cgminer(wm!.apiPort!, 'pools')) as { POOLS: { POOL: number }[] };
    expect(wmPools.POOLS[0]!.POOL).toBe(1);
    const wmVersion = await cgminer(wm!.apiPort!, 'version');
    expect(wmVersion['STATUS']).toBe('E');
    expect(wmVersion['Description']).toBe('whatsminer v1.1');
    // Plain-text request → cgminer text reply.
    const text = (await tcp(ava!.apiPort!, 'version')).toString('utf8');
    expect(text).toMatch(
      /^STATUS=S,When=\d+,Code=22,Msg=CGMiner versions,Description=cgminer 4.11.1\|VERSION,CGMiner=4.11.1,/,
    );
    expect(text.endsWith('|\0')).toBe(true);
    // Joined commands.
    const joined = await cgminer(ava!.apiPort!, 'summary+pools');
    expect(Object.keys(joined)).toEqual(['summary', 'pools', 'id']);
  });

  it('cgminer addpool + switchpool re-points the miner to a second pool; Braiins refuses writes', async () => {
    const { a, b, farm } = await farmOnFirstOfTwo(['antminer', 'braiins']);
    const [ant, bos] = farm.miners;
    await a.until(() => ant!.stats.accepted >= 1, 20_000);
    const added = (await cgminer(
      ant!.apiPort!,
      'addpool',
      `stratum+tcp://127.0.0.1:${b.port},acct.moved,x`,
    )) as { STATUS: { Code: number }[] };
    expect(added.STATUS[0]!.Code).toBe(55);
    const switched = (await cgminer(ant!.apiPort!, 'switchpool', '1')) as {
      STATUS: { STATUS: string; Code: number }[];
    };
    expect(switched.STATUS[0]).toMatchObject({ STATUS: 'S', Code: 27 });
    await b.until(() => b.accepted('acct.moved').length >= 1, 20_000);
    expect(ant!.stats.currentPool).toBe(`stratum+tcp://127.0.0.1:${b.port}`);
    const denied = (await cgminer(bos!.apiPort!, 'addpool', `stratum+tcp://127.0.0.1:${b.port},x,x`)) as {
      STATUS: { STATUS: string; Code: number }[];
    };
    expect(denied.STATUS[0]).toMatchObject({ STATUS: 'E', Code: 45 });
  });

  it('AxeOS: GET /api/system/info has the real fields; PATCH + restart re-points the Bitaxe', async () => {
    const { a, b, farm } = await farmOnFirstOfTwo(['bitaxe'], { account: 'home', restartMs: 100 });
    const bx = farm.miners[0]!;
    await a.until(() => bx.stats.accepted >= 1, 20_000);
    const base = `http://127.0.0.1:${bx.httpPort}`;
    const info = (await (await fetch(`${base}/api/system/info`)).json()) as Record<string, unknown>;
    expect(info).toMatchObject({
      ASICModel: 'BM1370',
      stratumURL: '127.0.0.1',
      stratumPort: a.port,
      stratumUser: 'home.bitaxe-1',
      boardVersion: '601',
    });
    expect(info['sharesAccepted']).toBeGreaterThanOrEqual(1);
    expect(typeof info['hashRate']).toBe('number');
    const patch = await fetch(`${base}/api/system`, {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ stratumURL: '127.0.0.1', stratumPort: b.port, stratumUser: 'home.moved' }),
    });
    expect(patch.status).toBe(200);
    expect((await fetch(`${base}/api/system/restart`, { method: 'POST' })).status).toBe(200);
    await b.until(() => b.accepted('home.moved').length >= 1, 20_000);
    const after = (await (await fetch(`${base}/api/system/info`)).json()) as Record<string, unknown>;
    expect(after).toMatchObject({ stratumPort: b.port, stratumUser: 'home.moved' });
  });

  it('Antminer CGI: digest auth required; set_miner_conf re-points the miner', async () => {
    const { b, farm } = await farmOnFirstOfTwo(['antminer'], { restartMs: 100 });
    const ant = farm.miners[0]!;
    const base = `http://127.0.0.1:${ant.httpPort}`;
    const anon = await fetch(`${base}/cgi-bin/get_system_info.cgi`);
    expect(anon.status).toBe(401);
    expect(anon.headers.get('www-authenticate')).toMatch(/^Digest realm="antMiner Configuration"/);
    const sys = JSON.parse(await (await digestFetch(`${base}/cgi-bin/get_system_info.cgi`)).text()) as Record<
      string,
      string
    >;
    expect(sys).toMatchObject({ minertype: 'Antminer S9', macaddr: ant.mac });
    const form = new URLSearchParams({
      _ant_pool1url: `stratum+tcp://127.0.0.1:${b.port}`,
      _ant_pool1user: 'cgi.moved',
      _ant_pool1pw: 'x',
      _ant_pool2url: '',
      _ant_pool2user: '',
      _ant_pool2pw: '',
      _ant_pool3url: '',
      _ant_pool3user: '',
      _ant_pool3pw: '',
    });
    const set = await digestFetch(`${base}/cgi-bin/set_miner_conf.cgi`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    });
    expect(await set.text()).toBe('ok');
    await b.until(() => b.accepted('cgi.moved').length >= 1, 20_000);
    const conf = JSON.parse(await (await digestFetch(`${base}/cgi-bin/get_miner_conf.cgi`)).text()) as {
      pools: { url: string; user: string }[];
    };
    expect(conf.pools[0]).toMatchObject({ url: `stratum+tcp://127.0.0.1:${b.port}`, user: 'cgi.moved' });
  });

  it('mDNS: a unicast query to the responder loopback port is answered with the AxeOS service records', async () => {
    const pool = await endpoint();
    const farm = await startFarm({
      miners: 2,
      makes: ['bitaxe'],
      pools: [`stratum+tcp://127.0.0.1:${pool.port}`],
      hashrate: 1,
      mdns: { port: 0, host: '127.0.0.1' },
    });
    const sock = createSocket('udp4');
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
    const asker = makeMdns({
      socket: sock,
      port: sock.address().port,
      bind: false,
      multicast: false,
      ip: '127.0.0.1',
    });
    try {
      const response = new Promise<import('multicast-dns').ResponsePacket>((resolve) =>
        asker.once('response', (r) => resolve(r)),
      );
      asker.query([{ name: '_axeos._sub._http._tcp.local', type: 'PTR' }], {
        port: farm.mdnsPort!,
        address: '127.0.0.1',
      });
      const r = await response;
      const ptrs = r.answers.flatMap((a) => (a.type === 'PTR' ? [a.data] : []));
      expect(ptrs).toHaveLength(2);
      expect(ptrs[0]).toMatch(/^Bitaxe Gamma 601 \([0-9A-F]{4}\)\._http\._tcp\.local$/);
      const srv = r.additionals.find((a) => a.type === 'SRV');
      expect(srv && srv.type === 'SRV' ? srv.data.port : 0).toBe(farm.miners[0]!.httpPort);
      const txt = r.additionals.find((a) => a.type === 'TXT');
      const keys =
        txt && txt.type === 'TXT' ? (txt.data as Buffer[]).map((b) => b.toString().split('=')[0]) : [];
      expect(keys).toEqual(['board', 'family', 'asic', 'asic_count', 'fw_version']);
      const services = new Promise<import('multicast-dns').ResponsePacket>((resolve) =>
        asker.once('response', (x) => resolve(x)),
      );
      asker.query([{ name: '_services._dns-sd._udp.local', type: 'PTR' }], {
        port: farm.mdnsPort!,
        address: '127.0.0.1',
      });
      expect((await services).answers.flatMap((a) => (a.type === 'PTR' ? [a.data] : []))).toEqual([
        '_http._tcp.local',
      ]);
    } finally {
      await new Promise<void>((r) => asker.destroy(() => r()));
    }
  });

  it('IP report: Antminer sends "ip,mac" and Whatsminer "IP:<ip>MAC:<mac>" to the given loopback port', async () => {
    const pool = await endpoint();
    const farm = await startFarm({
      miners: 3,
      makes: ['antminer', 'whatsminer', 'bitaxe'],
      pools: [`stratum+tcp://127.0.0.1:${pool.port}`],
      hashrate: 1,
      apis: false,
    });
    const listener = createSocket('udp4');
    await new Promise<void>((r) => listener.bind(0, '127.0.0.1', r));
    const got: string[] = [];
    listener.on('message', (m) => got.push(m.toString('ascii')));
    const port = listener.address().port;
    try {
      const [ant, wm, bx] = farm.miners;
      expect((await farm.pressIpReport(ant!.name, { host: '127.0.0.1', port })).ok).toBe(true);
      expect((await farm.pressIpReport(wm!.name, { host: '127.0.0.1', port })).ok).toBe(true);
      const none = await farm.pressIpReport(bx!.name, { host: '127.0.0.1', port });
      expect(none.ok ? '' : none.error.code).toBe('NO_IP_REPORT');
      await pool.until(() => got.length >= 2, 5_000);
      expect(got).toContain(`${ant!.host},${ant!.mac}`);
      expect(got).toContain(`IP:${wm!.host}MAC:${wm!.mac}`);
      // The examples in docs/simulator.md, byte for byte.
      expect([ant!.mac, wm!.mac]).toEqual(['70:B3:F5:00:00:01', 'C6:06:12:00:00:02']);
      const doc = Buffer.from(
        ipReportPayload('whatsminer', { ip: '127.0.0.1', mac: 'C6:06:12:00:00:02' }),
        'ascii',
      );
      expect(doc.toString('hex')).toBe('49503a3132372e302e302e314d41433a43363a30363a31323a30303a30303a3032');
      expect(ipReportPayload('antminer', { ip: '127.0.0.1', mac: '70:B3:F5:00:00:01' })).toBe(
        '127.0.0.1,70:B3:F5:00:00:01',
      );
    } finally {
      listener.close();
    }
  });

  it('Avalon ascset setpool answers cgminer text and applies on ascset reboot', async () => {
    const { a, b, farm } = await farmOnFirstOfTwo(['avalon']);
    const ava = farm.miners[0]!;
    await a.until(() => ava.stats.accepted >= 1, 20_000);
    const set = (
      await tcp(ava.apiPort!, `ascset|0,setpool,root,root,0,stratum+tcp://127.0.0.1:${b.port},ava.moved,x`)
    ).toString();
    expect(set).toMatch(
      /^STATUS=I,When=\d+,Code=118,Msg=ASC 0 set info:\npool success set to stratum\+tcp:\/\/127\.0\.0\.1:\d+\nworker is ava\.moved\n/,
    );
    expect(set).toContain('Please reboot miner to make config work.');
    expect(ava.stats.currentPool).toBe(`stratum+tcp://127.0.0.1:${a.port}`); // not before the reboot
    expect((await tcp(ava.apiPort!, 'ascset|0,reboot,0')).toString()).toContain('Code=118');
    await b.until(() => b.accepted('ava.moved').length >= 1, 20_000);
    expect((await tcp(ava.apiPort!, 'ascset|0,setpool,root,root,bad')).toString()).toBe('failed\0');
  });

  it('cgminer pool commands keep POOL numbers, move priorities and fail over like cgminer', async () => {
    const { a, b, farm } = await farmOnFirstOfTwo(['avalon']);
    const m = farm.miners[0]!;
    const port = m.apiPort!;
    type Pools = {
      POOLS: { POOL: number; URL: string; Priority: number; Status: string; 'Stratum Active': boolean }[];
    };
    const code = async (cmd: string, param: string) =>
      ((await cgminer(port, cmd, param)) as { STATUS: { Code: number }[] }).STATUS[0]!.Code;
    await a.until(() => m.stats.accepted >= 1, 20_000);
    // Plain-text write, text reply.
    const text = (await tcp(port, `addpool|stratum+tcp://127.0.0.1:${b.port},p.second,x`)).toString();
    expect(text).toMatch(/^STATUS=S,When=\d+,Code=55,Msg=Added pool 1: 'stratum\+tcp:\/\/127\.0\.0\.1:\d+'/);
    expect(await code('switchpool', '1')).toBe(27);
    await b.until(() => b.accepted('p.second').length >= 1, 20_000);
    let pools = (await cgminer(port, 'pools')) as Pools;
    expect(pools.POOLS.map((p) => [p.POOL, p.Priority, p['Stratum Active']])).toEqual([
      [0, 1, false],
      [1, 0, true],
    ]);
    expect(await code('removepool', '1')).toBe(67); // the active pool
    expect(await code('switchpool', '7')).toBe(26);
    expect(await code('disablepool', '1')).toBe(48); // moves the miner back to pool 0
    await a.until(() => m.stats.currentPool === `stratum+tcp://127.0.0.1:${a.port}`, 10_000);
    expect(await code('disablepool', '0')).toBe(51); // the last enabled pool
    expect(await code('enablepool', '1')).toBe(47);
    expect(await code('removepool', '1')).toBe(68);
    pools = (await cgminer(port, 'pools')) as Pools;
    expect(pools.POOLS.map((p) => p.POOL)).toEqual([0]);
  });
});
