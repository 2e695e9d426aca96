import type { IncomingMessage, ServerResponse } from 'node:http';
import { DigestGuard } from './http-digest.js';
import { parsePoolSpec, type PoolConfig } from './pool-url.js';
import type { SimMiner } from './sim-miner.js';

// The stock Antminer web CGI (lighttpd, digest auth, realm "antMiner Configuration", root/root).
// Bodies keep bmminer's layout: one key per line, "pools" then a lone "," line.

export const ANTMINER_REALM = 'antMiner Configuration';

export function antminerCgi(m: SimMiner): (req: IncomingMessage, res: ServerResponse, body: string) => void {
  const guard = new DigestGuard(ANTMINER_REALM, 'root', 'root');
  return (req, res, body) => {
    if (!guard.check(req.method ?? 'GET', req.headers.authorization)) {
      res.writeHead(401, { 'WWW-Authenticate': guard.challenge(), 'Content-Type': 'text/html' });
      res.end(
        '<html><head><title>401 - Unauthorized</title></head><body><h1>401 - Unauthorized</h1></body></html>\n',
      );
      return;
    }
    const path = (req.url ?? '/').split('?')[0];
    const send = (text: string, type = 'text/plain') => {
      res.writeHead(200, { 'Content-Type': type });
      res.end(text);
    };
    if (req.method === 'GET' && path === '/cgi-bin/get_system_info.cgi') return send(systemInfo(m));
    if (req.method === 'GET' && path === '/cgi-bin/get_miner_conf.cgi') return send(minerConf(m));
    if (req.method === 'GET' && path === '/cgi-bin/get_network_info.cgi') return send(networkInfo(m));
    if (req.method === 'POST' && path === '/cgi-bin/set_miner_conf.cgi') {
      const pools = parseSetMinerConf(body);
      if (!pools) return send('failed');
      m.applyPools(pools);
      return send('ok');
    }
    if (req.method === 'GET' && (path === '/' || path === '/index.html')) {
      return send('<html><head><title>Antminer</title></head><body></body></html>\n', 'text/html');
    }
    res.writeHead(404, { 'Content-Type': 'text/html' });
    res.end('<html><body><h1>404 - Not Found</h1></body></html>\n');
  };
}

function lines(obj: Record<string, string>): string {
  return `{\n${Object.entries(obj)
    .map(([k, v]) => `"${k}":${JSON.stringify(v)}`)
    .join(',\n')}\n}`;
}

function systemInfo(m: SimMiner): string {
  const up = Math.floor((Date.now() - m.bootedAt) / 1000);
  return lines({
    minertype: m.profile.model,
    nettype: 'DHCP',
    netdevice: 'eth0',
    macaddr: m.mac,
    hostname: 'antMiner',
    ipaddress: m.host,
    netmask: '255.0.0.0',
    gateway: '',
    dnsservers: '',
    curtime: new Date().toISOString().slice(11, 19),
    uptime: String(Math.floor(up / 60)),
    loadaverage: '0.79, 0.21, 0.07',
    mem_total: '251180',
    mem_used: '48104',
    mem_free: '203076',
    mem_buffers: '0',
    mem_cached: '0',
    system_mode: 'GNU/Linux',
    ant_hwv: '16.8.1.3',
    system_kernel_version: 'Linux 3.14.0-xilinx-ge8a2f71-dirty #82 SMP PREEMPT Tue May 16 19:49:53 CST 2017',
    system_filesystem_version: 'Fri Nov 17 17:37:49 CST 2017',
    cgminer_version: '4.10.0',
  });
}

function networkInfo(m: SimMiner): string {
  return lines({
    nettype: 'DHCP',
    netdevice: 'eth0',
    macaddr: m.mac,
    ipaddress: m.host,
    netmask: '255.0.0.0',
    conf_nettype: 'DHCP',
    conf_hostname: 'antMiner',
    conf_ipaddress: '',
    conf_netmask: '',
    conf_gateway: '',
    conf_dnsservers: '',
  });
}

function minerConf(m: SimMiner): string {
  const three = [0, 1, 2].map((i) => m.pools[i] ?? { url: '', user: '', password: '' });
  const pools = three
    .map(
      (p) =>
        `{\n"url" : ${JSON.stringify(p.url)},\n"user" : ${JSON.stringify(p.user)},\n"pass" : ${JSON.stringify(p.password)}\n}`,
    )
    .join(',\n');
  return `{\n"pools" : [\n${pools}\n]\n,\n"api-listen" : true,\n"api-network" : true,\n"api-groups" : "A:stats:pools:devs:summary:version:noncenum",\n"api-allow" : "A:0/0,W:*",\n"bitmain-use-vil" : true,\n"bitmain-freq" : "650",\n"multi-version" : "1"\n}`;
}

/** Older firmware posts a url-encoded _ant_* form; S19-era firmware posts JSON. Both are accepted. */
export function parseSetMinerConf(body: string): PoolConfig[] | undefined {
  const out: PoolConfig[] = [];
  const text = body.trim();
  if (text.startsWith('{')) {
    try {
      const v = JSON.parse(text) as { pools?: { url?: unknown; user?: unknown; pass?: unknown }[] };
      for (const p of v.pools ?? []) {
        if (typeof p.url !== 'string' || p.url === '') continue;
        const spec = parsePoolSpec(p.url);
        if (!spec.ok) return undefined;
        out.push({ url: spec.value.url, user: String(p.user ?? ''), password: String(p.pass ?? '') });
      }
    } catch {
      return undefined;
    }
  } else {
    const form = new URLSearchParams(text);
    for (let i = 1; i <= 3; i++) {
      const url = form.get(`_ant_pool${i}url`) ?? '';
      if (url === '') continue;
      const spec = parsePoolSpec(url);
      if (!spec.ok) return undefined;
      out.push({
        url: spec.value.url,
        user: form.get(`_ant_pool${i}user`) ?? '',
        password: form.get(`_ant_pool${i}pw`) ?? '',
      });
    }
  }
  return out.length > 0 ? out : undefined;
}
