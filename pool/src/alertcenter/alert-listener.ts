// Alert lines in, over UDP (one or more lines per datagram, as the seed's roles sent them) and TCP
// (a stream of lines), on the same address. A TCP line longer than maxLineBytes is cut there and the
// rest of it discarded, so one bad sender cannot grow our buffers.
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { parseAlertLine, type Alert } from './alert-line.js';

export interface AlertListenerOptions {
  readonly host: string;
  readonly port: number;
  readonly udp: boolean;
  readonly tcp: boolean;
  readonly maxLineBytes: number;
  readonly onAlert: (a: Alert) => void;
}

export class AlertListener {
  private tcp: Server | undefined;
  private udp: UdpSocket | undefined;
  private readonly sockets = new Set<Socket>();

  constructor(private readonly opts: AlertListenerOptions) {}

  /** Bind; with port 0 the TCP port is chosen first and UDP binds the same number. */
  async listen(): Promise<{ port: number }> {
    let port = this.opts.port;
    if (this.opts.tcp) {
      const server = createServer((s) => this.accept(s));
      this.tcp = server;
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, this.opts.host, () => resolve());
      });
      port = (server.address() as AddressInfo).port;
    }
    if (this.opts.udp) {
      const udp = createSocket(this.opts.host.includes(':') ? 'udp6' : 'udp4');
      this.udp = udp;
      udp.on('message', (msg, rinfo) => this.lines(msg.toString('utf8'), rinfo.address));
      await new Promise<void>((resolve, reject) => {
        udp.once('error', reject);
        udp.bind(port, this.opts.host, () => resolve());
      });
      port = udp.address().port;
    }
    return { port };
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    if (this.udp) this.udp.close();
    const tcp = this.tcp;
    if (tcp) await new Promise<void>((r) => tcp.close(() => r()));
  }

  private lines(text: string, peer: string): void {
    for (const line of text.split('\n')) {
      const a = parseAlertLine(line, peer, this.opts.maxLineBytes);
      if (a) this.opts.onAlert(a);
    }
  }

  private accept(socket: Socket): void {
    this.sockets.add(socket);
    const peer = (socket.remoteAddress ?? 'unknown').replace(/^::ffff:/, '');
    let partial = '';
    let discarding = false;
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      let text = partial + chunk;
      partial = '';
      let nl: number;
      while ((nl = text.indexOf('\n')) >= 0) {
        const line = text.slice(0, nl);
        text = text.slice(nl + 1);
        if (discarding) discarding = false;
        else this.lines(line, peer);
      }
      if (discarding) return;
      if (text.length > this.opts.maxLineBytes) {
        this.lines(text.slice(0, this.opts.maxLineBytes), peer);
        discarding = true;
      } else {
        partial = text;
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      if (partial !== '' && !discarding) this.lines(partial, peer);
      this.sockets.delete(socket);
    });
  }
}
