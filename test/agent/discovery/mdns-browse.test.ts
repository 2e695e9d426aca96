import { createSocket } from 'node:dgram';
import makeMdns from 'multicast-dns';
import { afterEach, describe, expect, it } from 'vitest';
import { AXEOS_SUBTYPE, browseAxeos } from '../../../agent/src/discovery/mdns-browse.js';
import { readFixtureJson } from '../../support/fixtures.js';

interface Facts {
  devices: { service?: { type: string; port: number; subtype: string }; txt_keys?: Record<string, string> }[];
}

const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanup.splice(0)) c();
});

/** A simulated Bitaxe answering DNS-SD queries on a loopback port (unicast only, never multicast). */
async function simulatedBitaxe(answerWith: 'full' | 'unrelated'): Promise<number> {
  const socket = createSocket({ type: 'udp4' });
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  const port = socket.address().port;
  const device = makeMdns({ socket, multicast: false, port, bind: false });
  cleanup.push(() => device.destroy());
  const instance = 'Bitaxe Gamma 601 (A1B2)._http._tcp.local';
  device.on('query', (q, rinfo) => {
    if (!q.questions.some((x) => x.name === AXEOS_SUBTYPE && x.type === 'PTR')) return;
    if (answerWith === 'unrelated') {
      device.respond(
        { answers: [{ name: '_printer._tcp.local', type: 'PTR', data: 'Office._printer._tcp.local' }] },
        { address: rinfo.address, port: rinfo.port },
      );
      return;
    }
    device.respond(
      {
        answers: [{ name: AXEOS_SUBTYPE, type: 'PTR', ttl: 120, data: instance }],
        additionals: [
          {
            name: instance,
            type: 'SRV',
            ttl: 120,
            data: { target: 'bitaxe-a1b2.local', port: 80, priority: 0, weight: 0 },
          },
          {
            name: instance,
            type: 'TXT',
            ttl: 120,
            data: ['board=601', 'family=Gamma', 'asic=BM1370', 'asic_count=1', 'fw_version=v2.12.2'],
          },
          { name: 'bitaxe-a1b2.local', type: 'A', ttl: 120, data: '127.0.0.1' },
        ],
      },
      { address: rinfo.address, port: rinfo.port },
    );
  });
  return port;
}

describe('mDNS browse for AxeOS', () => {
  it('uses the subtype and TXT keys the firmware announces', () => {
    const facts = readFixtureJson<Facts>('mdns/mdns-dnssd-facts.json');
    const axeos = facts.devices[0];
    expect(`${axeos?.service?.subtype}.local`).toBe(AXEOS_SUBTYPE);
    expect(Object.keys(axeos?.txt_keys ?? {})).toEqual([
      'board',
      'family',
      'asic',
      'asic_count',
      'fw_version',
    ]);
  });

  it('finds a simulated Bitaxe on loopback with its SRV, TXT and A records', async () => {
    const port = await simulatedBitaxe('full');
    const found = await browseAxeos({
      target: { address: '127.0.0.1', port },
      bindAddress: '127.0.0.1',
      durationMs: 300,
    });
    expect(found).toEqual([
      {
        instance: 'Bitaxe Gamma 601 (A1B2)',
        host: 'bitaxe-a1b2.local',
        ip: '127.0.0.1',
        port: 80,
        txt: { board: '601', family: 'Gamma', asic: 'BM1370', asic_count: '1', fw_version: 'v2.12.2' },
      },
    ]);
  });

  it('ignores answers for other services, and an empty network is an empty list', async () => {
    const port = await simulatedBitaxe('unrelated');
    expect(
      await browseAxeos({
        target: { address: '127.0.0.1', port },
        bindAddress: '127.0.0.1',
        durationMs: 200,
      }),
    ).toEqual([]);
    const nobody = createSocket('udp4');
    await new Promise<void>((r) => nobody.bind(0, '127.0.0.1', () => r()));
    const silentPort = nobody.address().port;
    cleanup.push(() => nobody.close());
    expect(
      await browseAxeos({
        target: { address: '127.0.0.1', port: silentPort },
        bindAddress: '127.0.0.1',
        durationMs: 150,
      }),
    ).toEqual([]);
  });
});
