// The agent announces itself over mDNS/DNS-SD so a laptop on the farm LAN finds it: service
// `_farmhand._tcp` on the control port, TXT `stratum=<port>`, `control=<port>`, `version=<v>`. On the
// LAN it answers multicast queries; with `loopbackPort` it binds 127.0.0.1 only and answers by unicast,
// never touching the multicast group (tests, the demo).
import { createSocket } from 'node:dgram';
import { hostname } from 'node:os';
import makeMdns from 'multicast-dns';
import type { Answer } from 'dns-packet';

export const FARMHAND_SERVICE = '_farmhand._tcp.local';

export interface AdvertiseOptions {
  readonly stratumPort: number;
  /** A function when the port is known only once the control API listens. */
  readonly controlPort: number | (() => number);
  readonly version: string;
  /** The address put in the A record; loopback mode always uses 127.0.0.1. */
  readonly address: string;
  readonly instance?: string;
  readonly loopbackPort?: number;
}

export interface Advertiser {
  readonly port: number | null;
  close(): Promise<void>;
}

export function advertisedRecords(o: AdvertiseOptions): Answer[] {
  const controlPort = typeof o.controlPort === 'function' ? o.controlPort() : o.controlPort;
  const label = (o.instance ?? `farmhand on ${hostname()}`).replace(/\./g, '-').slice(0, 63);
  const instance = `${label}.${FARMHAND_SERVICE}`;
  const host = `${label.replace(/[^A-Za-z0-9-]+/g, '-').toLowerCase()}.local`;
  return [
    { name: FARMHAND_SERVICE, type: 'PTR', ttl: 4500, data: instance },
    {
      name: instance,
      type: 'SRV',
      ttl: 120,
      data: { port: controlPort, target: host, priority: 0, weight: 0 },
    },
    {
      name: instance,
      type: 'TXT',
      ttl: 4500,
      data: [`stratum=${o.stratumPort}`, `control=${controlPort}`, `version=${o.version}`],
    },
    { name: host, type: 'A', ttl: 120, data: o.address },
  ];
}

export async function startAdvertiser(o: AdvertiseOptions): Promise<Advertiser> {
  let mdns: ReturnType<typeof makeMdns>;
  let port: number | null = null;
  const loopback = o.loopbackPort !== undefined;
  if (loopback) {
    const socket = createSocket({ type: 'udp4' });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(o.loopbackPort, '127.0.0.1', () => resolve());
    });
    port = socket.address().port;
    mdns = makeMdns({ socket, port, bind: false, multicast: false, ip: '127.0.0.1' });
  } else {
    mdns = makeMdns();
  }
  mdns.on('error', () => undefined);
  mdns.on('warning', () => undefined);
  mdns.on('query', (q, rinfo) => {
    if (loopback && !rinfo.address.startsWith('127.')) return;
    const wanted = q.questions.some(
      (x) => x.name.toLowerCase() === FARMHAND_SERVICE && (x.type === 'PTR' || (x.type as string) === 'ANY'),
    );
    if (!wanted) return;
    const [ptr, ...rest] = advertisedRecords(loopback ? { ...o, address: '127.0.0.1' } : o);
    const reply = { answers: ptr ? [ptr] : [], additionals: rest };
    // Loopback: unicast back to the asker. LAN: the usual multicast answer.
    if (loopback) mdns.respond(reply, { port: rinfo.port, address: rinfo.address });
    else mdns.respond(reply);
  });
  return {
    port,
    close: () => new Promise<void>((resolve) => mdns.destroy(() => resolve())),
  };
}
