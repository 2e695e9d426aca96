// In-test devices on loopback that replay fixture bodies the way real miners send them.
import { createHash } from 'node:crypto';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server as HttpServer,
  type ServerResponse,
} from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';

export interface Listening {
  readonly host: string;
  readonly port: number;
  readonly requests: string[];
  /** Connections accepted, and the most open at one time (a scan must keep that at 1 per device). */
  readonly stats: { connections: number; maxOpen: number };
  close(): Promise<void>;
}

function listen(
  server: Server | HttpServer,
  host: string,
  port: number,
  requests: string[],
  sockets: Set<Socket>,
): Promise<Listening> {
  const stats = { connections: 0, maxOpen: 0 };
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    stats.connections++;
    stats.maxOpen = Math.max(stats.maxOpen, sockets.size);
    s.on('close', () => sockets.delete(s));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const addr = server.address();
      const bound = typeof addr === 'object' && addr ? addr.port : port;
      resolve({
        host,
        port: bound,
        requests,
        stats,
        close: () =>
          new Promise<void>((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}

/** The command a cgminer-API request names: JSON `command`/`cmd`, or the plain `cmd|param` form. */
export function commandOf(request: string): string {
  try {
    const j = JSON.parse(request) as Record<string, unknown>;
    if (typeof j.command === 'string') return j.command;
    if (typeof j.cmd === 'string') return j.cmd;
    if (j.enc !== undefined) return 'enc';
  } catch {
    // plain text request
  }
  return request.split('|')[0]?.trim() ?? '';
}

export type CgminerAnswer = string | ((request: string) => string | null);

/** Answers each command with its body plus the NUL a real device appends, then closes. */
export function cgminerServer(
  answers: Record<string, CgminerAnswer>,
  host = '127.0.0.1',
  port = 0,
): Promise<Listening> {
  const requests: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    socket.on('error', () => undefined);
    socket.once('data', (chunk) => {
      const req = chunk.toString('utf8');
      requests.push(req);
      const a = answers[commandOf(req)] ?? answers['*'];
      const body = typeof a === 'function' ? a(req) : a;
      if (body === undefined || body === null) {
        socket.end(
          `{"STATUS":[{"STATUS":"E","When":0,"Code":14,"Msg":"Invalid command","Description":"test"}],"id":1}\0`,
        );
        return;
      }
      socket.end(body + '\0');
    });
  });
  return listen(server, host, port, requests, sockets);
}

/** Accepts and never answers. */
export function silentServer(host = '127.0.0.1', port = 0): Promise<Listening> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => socket.on('error', () => undefined));
  return listen(server, host, port, [], sockets);
}

/** Answers anything with fixed bytes and closes. */
export function garbageServer(bytes: Buffer, host = '127.0.0.1', port = 0): Promise<Listening> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    socket.on('error', () => undefined);
    socket.end(bytes);
  });
  return listen(server, host, port, [], sockets);
}

export type HttpRoute = (
  req: IncomingMessage,
  body: string,
) => { status: number; headers?: Record<string, string>; body: string };

const md5 = (s: string): string => createHash('md5').update(s).digest('hex');

/** HTTP device; with `digest` set every route needs RFC 7616 Digest (MD5, qop=auth) as lighttpd checks it. */
export function httpServer(
  routes: Record<string, HttpRoute>,
  opts: { digest?: { realm: string; user: string; password: string }; host?: string; port?: number } = {},
): Promise<Listening> {
  const requests: string[] = [];
  const sockets = new Set<Socket>();
  const nonce = 'a1b2c3d4e5f60718';
  const server = createHttpServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const line = `${req.method} ${req.url}`;
      requests.push(body ? `${line} ${body}` : line);
      if (opts.digest && !digestOk(req, opts.digest, nonce)) {
        res.writeHead(401, {
          'WWW-Authenticate': `Digest realm="${opts.digest.realm}", nonce="${nonce}", qop="auth"`,
          'Content-Type': 'text/html',
        });
        res.end('<html><body>401 Unauthorized</body></html>');
        return;
      }
      const route = routes[line] ?? routes[`${req.method} *`];
      if (!route) {
        res.writeHead(404);
        res.end('not found');
        return;
      }
      const out = route(req, body);
      res.writeHead(out.status, out.headers ?? { 'Content-Type': 'application/json' });
      res.end(out.body);
    });
  });
  return listen(server, opts.host ?? '127.0.0.1', opts.port ?? 0, requests, sockets);
}

function digestOk(
  req: IncomingMessage,
  d: { realm: string; user: string; password: string },
  nonce: string,
): boolean {
  const h = req.headers.authorization;
  if (!h?.startsWith('Digest ')) return false;
  const p = new Map<string, string>();
  for (const m of h.slice(7).matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]*))/g))
    p.set(m[1] as string, m[2] ?? m[3] ?? '');
  if (p.get('username') !== d.user || p.get('realm') !== d.realm || p.get('nonce') !== nonce) return false;
  const ha1 = md5(`${d.user}:${d.realm}:${d.password}`);
  const ha2 = md5(`${req.method}:${p.get('uri')}`);
  const expected = md5(`${ha1}:${nonce}:${p.get('nc')}:${p.get('cnonce')}:${p.get('qop')}:${ha2}`);
  return p.get('response') === expected && p.get('uri') === req.url;
}

/** btminer API v3 device: 4-byte little-endian length frames; answers keyed by `cmd` or `cmd param`. */
export function v3Server(answers: Record<string, string>, host = '127.0.0.1', port = 0): Promise<Listening> {
  const requests: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    socket.on('error', () => undefined);
    socket.once('data', (chunk) => {
      const req = chunk.subarray(4, 4 + chunk.readUInt32LE(0)).toString('utf8');
      requests.push(req);
      let key = '';
      try {
        const j = JSON.parse(req) as { cmd?: string; param?: unknown };
        key = j.param === undefined ? String(j.cmd) : `${String(j.cmd)} ${String(j.param)}`;
      } catch {
        key = '';
      }
      const body = Buffer.from(answers[key] ?? '{"code":-2,"msg":"invalid command"}');
      const head = Buffer.alloc(4);
      head.writeUInt32LE(body.length, 0);
      socket.end(Buffer.concat([head, body]));
    });
  });
  return listen(server, host, port, requests, sockets);
}
