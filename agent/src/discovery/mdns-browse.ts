// Passive discovery over mDNS/DNS-SD. Only AxeOS (ESP-Miner and forks) announces itself: `_http._tcp` on
// port 80 with the subtype `_axeos`, TXT keys board, family, asic, asic_count, fw_version
// (shared/fixtures/mdns). One PTR query for `_axeos._sub._http._tcp.local`, then whatever answers within
// the window. Tests point `target` at a loopback port so nothing is multicast.
import { createSocket } from 'node:dgram';
import makeMdns from 'multicast-dns';
import type { Answer } from 'dns-packet';

export const AXEOS_SUBTYPE = '_axeos._sub._http._tcp.local';

export interface MdnsDevice {
  readonly instance: string; // "Bitaxe Gamma 601 (A1B2)"
  readonly host: string | null; // "bitaxe.local"
  readonly ip: string;
  readonly port: number;
  readonly txt: Readonly<Record<string, string>>;
}

export interface BrowseOptions {
  readonly durationMs?: number;
  /** Unicast the query here instead of the multicast group (tests, or one known responder). */
  readonly target?: { readonly address: string; readonly port: number };
  /** Local address to bind (tests bind 127.0.0.1). */
  readonly bindAddress?: string;
  readonly service?: string;
}

interface PendingInstance {
  host?: string;
  port?: number;
  txt?: Record<string, string>;
  from?: string;
}

function txtRecord(data: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  const items = Array.isArray(data) ? data : [data];
  for (const item of items) {
    const s = Buffer.isBuffer(item) ? item.toString('utf8') : typeof item === 'string' ? item : '';
    const eq = s.indexOf('=');
    if (eq > 0) out[s.slice(0, eq)] = s.slice(eq + 1);
  }
  return out;
}

/** Browses for AxeOS devices for `durationMs`; resolves with what answered (never rejects). */
export async function browseAxeos(opts: BrowseOptions = {}): Promise<MdnsDevice[]> {
  const service = opts.service ?? AXEOS_SUBTYPE;
  let mdns: ReturnType<typeof makeMdns>;
  if (opts.target) {
    // Unicast: our own socket on an ephemeral port, no multicast membership at all.
    const socket = createSocket({ type: 'udp4' });
    const bound = await new Promise<boolean>((resolve) => {
      socket.once('error', () => resolve(false));
      socket.bind(0, opts.bindAddress ?? '0.0.0.0', () => resolve(true));
    });
    if (!bound) {
      socket.close();
      return [];
    }
    mdns = makeMdns({ socket, multicast: false, port: socket.address().port, bind: false });
  } else {
    mdns = makeMdns();
  }
  const instances = new Map<string, PendingInstance>();
  const addresses = new Map<string, string>();

  const take = (answers: readonly Answer[], from: string): void => {
    for (const a of answers) {
      if (a.type === 'PTR' && a.name.toLowerCase() === service.toLowerCase() && typeof a.data === 'string') {
        const p = instances.get(a.data) ?? {};
        p.from = from;
        instances.set(a.data, p);
      } else if (a.type === 'SRV' && a.data && typeof a.data === 'object') {
        const p = instances.get(a.name) ?? {};
        p.host = a.data.target;
        p.port = a.data.port;
        instances.set(a.name, p);
      } else if (a.type === 'TXT') {
        const p = instances.get(a.name) ?? {};
        p.txt = txtRecord(a.data);
        instances.set(a.name, p);
      } else if (a.type === 'A' && typeof a.data === 'string') {
        addresses.set(a.name.toLowerCase(), a.data);
      }
    }
  };

  return new Promise((resolve) => {
    const finish = (): void => {
      clearTimeout(timer);
      mdns.removeAllListeners('response');
      mdns.destroy();
      const found: MdnsDevice[] = [];
      for (const [instance, p] of instances) {
        // Only instances the subtype PTR named: an SRV alone could be any web server.
        if (p.from === undefined) continue;
        const ip = (p.host ? addresses.get(p.host.toLowerCase()) : undefined) ?? p.from;
        found.push({
          instance: instance.replace(/\._http\._tcp\.local$/i, ''),
          host: p.host ?? null,
          ip,
          port: p.port ?? 80,
          txt: p.txt ?? {},
        });
      }
      resolve(found);
    };
    const timer = setTimeout(finish, opts.durationMs ?? 3000);
    mdns.on('error', () => finish());
    mdns.on('warning', () => undefined);
    mdns.on('response', (packet, rinfo) =>
      take([...(packet.answers ?? []), ...(packet.additionals ?? [])], rinfo.address),
    );
    const question = { questions: [{ name: service, type: 'PTR' as const }] };
    if (opts.target) mdns.query(question, { address: opts.target.address, port: opts.target.port });
    else mdns.query(question);
  });
}
