import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { antminerCgi } from './antminer-cgi.js';
import { axeosApi } from './axeos-api.js';
import { apiDelay, startCgminerApi, type ApiServer } from './cgminer-api.js';
import type { SimMiner } from './sim-miner.js';

// The device APIs of one simulated miner, on its own loopback ports. A reboot closes them and
// reopens them on the same ports when the device comes back.

export interface DeviceApis {
  readonly apiPort: number | null;
  readonly httpPort: number | null;
  close(): Promise<void>;
}

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

async function startHttp(m: SimMiner, handler: Handler, host: string, port: number): Promise<ApiServer> {
  const open = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > 65536) req.destroy();
      else chunks.push(c);
    });
    req.on('end', () => {
      const run = () => handler(req, res, Buffer.concat(chunks).toString('utf8'));
      const delay = apiDelay(m);
      if (delay > 0) setTimeout(run, delay).unref();
      else run();
    });
  });
  server.on('connection', (s: Socket) => {
    open.add(s);
    s.on('close', () => open.delete(s));
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

export async function startDeviceApis(
  m: SimMiner,
  where: { host: string; apiPort: number | null; httpPort: number | null; restartMs?: number },
): Promise<DeviceApis> {
  const dialect = m.profile.cgminer;
  const http: Handler | null =
    m.profile.http === 'antminer-cgi'
      ? antminerCgi(m)
      : m.profile.http === 'axeos'
        ? axeosApi(m, () => where.restartMs ?? 1000)
        : null;
  let api: ApiServer | null = null;
  let web: ApiServer | null = null;
  const open = async (apiPort: number | null, httpPort: number | null) => {
    if (dialect && apiPort !== null) api = await startCgminerApi(m, dialect, where.host, apiPort);
    if (http && httpPort !== null) web = await startHttp(m, http, where.host, httpPort);
  };
  await open(where.apiPort, where.httpPort);
  const ports = {
    apiPort: (api as ApiServer | null)?.port ?? null,
    httpPort: (web as ApiServer | null)?.port ?? null,
  };
  const close = async () => {
    const a = api as ApiServer | null;
    const w = web as ApiServer | null;
    api = null;
    web = null;
    await Promise.all([a?.close(), w?.close()]);
  };
  let closed = false;
  m.power = {
    down: () => void close(),
    up: () => {
      if (!closed) void open(ports.apiPort, ports.httpPort).catch(() => {});
    },
  };
  return {
    ...ports,
    close: async () => {
      closed = true;
      await close();
    },
  };
}
