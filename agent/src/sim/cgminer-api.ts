import { createServer, type Server, type Socket } from 'node:net';
import { DESCRIPTION, readReply } from './cgminer-dialects.js';
import {
  Msg,
  joinedJson,
  parseApiRequest,
  replyJson,
  replyText,
  type ApiRequest,
  type Reply,
} from './cgminer-format.js';
import type { CgminerDialect } from './makes.js';
import { parsePoolSpec } from './pool-url.js';
import type { SimMiner } from './sim-miner.js';

// The cgminer-style socket API (TCP 4028 on the real devices): one request per connection, the
// reply, a NUL byte, then the daemon closes the connection.

const MAX_REQUEST = 8192;

export function apiDelay(m: SimMiner): number {
  return m.fault.kind === 'slow-api' ? m.fault.delayMs : 0;
}

/** Answers one request; exported for tests that want replies without sockets. */
export function answer(m: SimMiner, dialect: CgminerDialect, req: ApiRequest, now = Date.now()): string {
  const when = Math.floor(now / 1000);
  const desc = DESCRIPTION[dialect];
  const one = (command: string): Reply =>
    write(m, dialect, command, req.parameter) ??
    readReply(m, dialect, command, now) ?? { status: Msg.invalidCommand, sections: [] };
  if (req.json && req.command.includes('+')) {
    return joinedJson(req.command.split('+').map((c) => [c, replyJson(one(c), when, desc)] as const));
  }
  if (dialect === 'avalon' && req.command === 'ascset') return ascset(m, req.parameter, when, desc);
  const r = one(req.command);
  return req.json ? replyJson(r, when, desc) : replyText(r, when, desc);
}

function poolId(param: string, m: SimMiner): number | Reply {
  if (param.trim() === '') return { status: Msg.missingPoolId, sections: [] };
  const id = Number(param.split(',')[0]);
  if (!Number.isInteger(id) || id < 0 || id >= m.pools.length)
    return { status: Msg.invalidPoolId(id, m.pools.length - 1), sections: [] };
  return id;
}

const WRITES = new Set(['addpool', 'switchpool', 'enablepool', 'disablepool', 'removepool']);

function write(m: SimMiner, dialect: CgminerDialect, command: string, param: string): Reply | undefined {
  if (!WRITES.has(command)) return undefined;
  if (!m.profile.cgminerPoolWrites) return { status: Msg.accessDenied(command), sections: [] };
  if (command === 'addpool') {
    if (param.trim() === '') return { status: Msg.missingAddpool, sections: [] };
    const [url = '', user = '', pass = ''] = param.split(',');
    const spec = parsePoolSpec(url);
    if (!spec.ok || user === '') return { status: Msg.invalidAddpool(param), sections: [] };
    const id = m.addPool({ url: spec.value.url, user, password: pass });
    return { status: Msg.addPool(id, spec.value.url), sections: [] };
  }
  const id = poolId(param, m);
  if (typeof id !== 'number') return id;
  const p = m.pools[id]!;
  switch (command) {
    case 'switchpool':
      m.switchPool(id);
      return { status: Msg.switchPool(id, p.url), sections: [] };
    case 'enablepool':
      if (p.enabled) return { status: Msg.alreadyEnabled(id, p.url), sections: [] };
      m.setPoolEnabled(id, true);
      return { status: Msg.enablePool(id, p.url), sections: [] };
    case 'disablepool':
      if (!p.enabled) return { status: Msg.alreadyDisabled(id, p.url), sections: [] };
      if (m.pools.filter((x) => x.enabled).length <= 1)
        return { status: Msg.disableLast(id, p.url), sections: [] };
      m.setPoolEnabled(id, false);
      return { status: Msg.disablePool(id, p.url), sections: [] };
    default:
      if (m.pools.length <= 1) return { status: Msg.removeLast(id, p.url), sections: [] };
      if (id === m.activePool) return { status: Msg.removeActive(id, p.url), sections: [] };
      m.removePool(id);
      return { status: Msg.removePool(id, p.url), sections: [] };
  }
}

/** Avalon's ascset|0,setpool,<user>,<pass>,[<index>,]<url>,<worker>,<workerpass>: text reply, applied on reboot. */
function ascset(m: SimMiner, param: string, when: number, desc: string): string {
  const parts = param.split(',');
  if (parts[1] === 'reboot') {
    // The daemon answers first, then the controller reboots.
    setTimeout(() => m.reboot(m.restartDelay), 100).unref();
    return `STATUS=I,When=${when},Code=118,Msg=ASC 0 set info: reboot,Description=${desc}|`;
  }
  if (parts[1] !== 'setpool' || parts.length < 7) return 'failed';
  const hasIndex = parts.length >= 8;
  const index = hasIndex ? Number(parts[4]) : 0;
  const [url = '', worker = '', pass = ''] = parts.slice(hasIndex ? 5 : 4);
  const spec = parsePoolSpec(url);
  if (!spec.ok || !Number.isInteger(index) || index < 0 || index > 2) return 'failed';
  const next = m.pools.map((p) => ({ url: p.url, user: p.user, password: p.password }));
  while (next.length <= index) next.push({ url: '', user: '', password: '' });
  next[index] = { url: spec.value.url, user: worker, password: pass };
  m.pendingPools = next;
  return `STATUS=I,When=${when},Code=118,Msg=ASC 0 set info:\npool success set to ${spec.value.url}\nworker is ${worker}\nworkerpassword is ${pass}\nPlease reboot miner to make config work.\n,Description=${desc}|`;
}

export interface ApiServer {
  readonly port: number;
  close(): Promise<void>;
}

export async function startCgminerApi(
  m: SimMiner,
  dialect: CgminerDialect,
  host: string,
  port: number,
): Promise<ApiServer> {
  const open = new Set<Socket>();
  const server: Server = createServer((socket: Socket) => {
    open.add(socket);
    socket.on('close', () => open.delete(socket));
    let buf = '';
    let done = false;
    socket.setTimeout(10_000, () => socket.destroy());
    socket.on('error', () => {});
    const respond = () => {
      if (done) return;
      const req = parseApiRequest(buf);
      if (!req && buf.trimStart().startsWith('{') && !socket.readableEnded && buf.length < MAX_REQUEST) {
        try {
          JSON.parse(buf.replace(/\0+$/, ''));
        } catch {
          return; // JSON still arriving
        }
      }
      done = true;
      const text = req
        ? answer(m, dialect, req)
        : replyJson(
            { status: Msg.invalidJson, sections: [] },
            Math.floor(Date.now() / 1000),
            DESCRIPTION[dialect],
          );
      const send = () => {
        if (!socket.destroyed) socket.end(`${text}\0`);
      };
      const delay = apiDelay(m);
      if (delay > 0) setTimeout(send, delay).unref();
      else send();
    };
    socket.on('data', (chunk: Buffer) => {
      buf += chunk.toString('utf8');
      if (buf.length > MAX_REQUEST) return socket.destroy();
      respond();
    });
    socket.on('end', respond);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const addr = server.address();
  return {
    port: typeof addr === 'object' && addr ? addr.port : port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of open) s.destroy();
        server.close(() => resolve());
      }),
  };
}
