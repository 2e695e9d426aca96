import { createSocket } from 'node:dgram';
import makeMdns from 'multicast-dns';
import type { Answer } from 'dns-packet';
import { AXEOS_FW, axeosSuffix } from './axeos-api.js';
import type { SimMiner } from './sim-miner.js';

// One mDNS responder answering for every simulated AxeOS device, as ESP-Miner announces itself:
// _http._tcp with the _axeos subtype, instance "Bitaxe <family> <board> (<MAC4MAC5>)", TXT keys
// board/family/asic/asic_count/fw_version. It never joins a multicast group: it binds a loopback
// port and answers each query by unicast to the asker.

export interface MdnsDevice {
  readonly miner: SimMiner;
  readonly httpPort: number;
}

export interface MdnsResponder {
  readonly port: number;
  close(): Promise<void>;
}

const SERVICE = '_http._tcp.local';
const SUBTYPE = '_axeos._sub._http._tcp.local';

export function axeosRecords(d: MdnsDevice): { instance: string; host: string; answers: Answer[] } {
  const m = d.miner;
  const suffix = axeosSuffix(m);
  const instance = `Bitaxe ${m.profile.model} 601 (${suffix.toUpperCase()}).${SERVICE}`;
  const host = `bitaxe-${suffix}.local`;
  const txt = [
    `board=601`,
    `family=${m.profile.model}`,
    `asic=BM1370`,
    `asic_count=1`,
    `fw_version=${AXEOS_FW}`,
  ];
  return {
    instance,
    host,
    answers: [
      { name: SERVICE, type: 'PTR', ttl: 4500, data: instance },
      { name: SUBTYPE, type: 'PTR', ttl: 4500, data: instance },
      {
        name: instance,
        type: 'SRV',
        ttl: 120,
        data: { port: d.httpPort, target: host, priority: 0, weight: 0 },
      },
      { name: instance, type: 'TXT', ttl: 4500, data: txt },
      { name: host, type: 'A', ttl: 120, data: m.host },
    ],
  };
}

export async function startMdnsResponder(opts: {
  port: number;
  host: '127.0.0.1';
  devices: readonly MdnsDevice[];
}): Promise<MdnsResponder> {
  const socket = createSocket({ type: 'udp4', reuseAddr: false });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(opts.port, opts.host, () => resolve());
  });
  const port = socket.address().port;
  // multicast: false and our own bound socket: multicast-dns never joins 224.0.0.251 nor sends there.
  const mdns = makeMdns({ socket, port, bind: false, multicast: false, ip: opts.host });
  const records = opts.devices.map(axeosRecords);
  mdns.on('query', (q, rinfo) => {
    if (!rinfo.address.startsWith('127.')) return;
    const answers: Answer[] = [];
    for (const question of q.questions) {
      const name = question.name.toLowerCase();
      for (const r of records) {
        for (const a of r.answers) {
          if (a.name.toLowerCase() !== name) continue;
          if ((question.type as string) !== 'ANY' && question.type !== a.type) continue;
          answers.push(a);
        }
      }
    }
    // DNS-SD service enumeration (RFC 6763 §9), as avahi-browse -a asks first.
    if (
      records.length > 0 &&
      q.questions.some((x) => x.name.toLowerCase() === '_services._dns-sd._udp.local')
    ) {
      answers.push({ name: '_services._dns-sd._udp.local', type: 'PTR', ttl: 4500, data: SERVICE });
    }
    if (answers.length === 0) return;
    // Additionals for PTR answers: the SRV, TXT and A a browser would ask for next.
    const additionals: Answer[] = [];
    for (const a of answers) {
      if (a.type !== 'PTR') continue;
      const r = records.find((x) => x.instance === a.data);
      if (r)
        for (const extra of r.answers)
          if (extra.type !== 'PTR' && !additionals.includes(extra)) additionals.push(extra);
    }
    mdns.respond({ answers, additionals }, { port: rinfo.port, address: rinfo.address });
  });
  return {
    port,
    close: () => new Promise<void>((resolve) => mdns.destroy(() => resolve())),
  };
}
