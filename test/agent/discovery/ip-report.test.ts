import { createSocket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { IpReportListener, parseIpReport, type IpReport } from '../../../agent/src/discovery/ip-report.js';

const listeners: IpReportListener[] = [];
afterEach(() => {
  for (const l of listeners.splice(0)) l.stop();
});

function send(port: number, payload: string | Buffer): Promise<void> {
  const s = createSocket('udp4');
  return new Promise((resolve) => s.send(payload, port, '127.0.0.1', () => (s.close(), resolve())));
}

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
}

describe('parseIpReport', () => {
  it('Antminer `ip,mac` (as bmminer sends it, no newline)', () => {
    expect(
      parseIpReport('antminer', Buffer.from('192.168.1.189,c4:f3:12:b3:9f:fc'), '192.168.1.189', 14235),
    ).toEqual({
      make: 'antminer',
      ip: '192.168.1.189',
      mac: 'C4:F3:12:B3:9F:FC',
      from: '192.168.1.189',
      port: 14235,
    });
  });

  it('Whatsminer `IP:<ip>MAC:<mac>`', () => {
    expect(
      parseIpReport('whatsminer', Buffer.from('IP:10.0.4.17MAC:C6:02:14:00:1F:B3'), '10.0.4.17', 8888),
    ).toMatchObject({ make: 'whatsminer', ip: '10.0.4.17', mac: 'C6:02:14:00:1F:B3' });
  });

  it('ignores what is not a report', () => {
    for (const junk of ['', 'hello', '300.1.1.1,C4:F3:12:B3:9F:FC', '192.168.1.5', 'IP:1.2.3.4'])
      expect(parseIpReport('antminer', Buffer.from(junk), '127.0.0.1', 1), junk).toBeNull();
    expect(
      parseIpReport('whatsminer', Buffer.from('192.168.1.189,c4:f3:12:b3:9f:fc'), '127.0.0.1', 1),
    ).toBeNull();
    expect(parseIpReport('antminer', Buffer.alloc(2000, 0x31), '127.0.0.1', 1)).toBeNull();
  });
});

describe('IpReportListener on loopback', () => {
  it('hears both makes, drops repeats, ignores junk', async () => {
    const got: IpReport[] = [];
    const l = new IpReportListener({
      address: '127.0.0.1',
      ports: [
        { format: 'antminer', port: 0 },
        { format: 'whatsminer', port: 0 },
      ],
      onReport: (r) => got.push(r),
    });
    listeners.push(l);
    const bound = await l.start();
    if (!bound.ok) throw new Error(bound.error.message);
    const [antPort, wmPort] = bound.value as [number, number];
    await send(antPort, '192.168.1.189,C4:F3:12:B3:9F:FC');
    await send(antPort, '192.168.1.189,C4:F3:12:B3:9F:FC'); // the button repeats
    await send(antPort, Buffer.from([0xff, 0x00, 0x13]));
    await send(wmPort, 'IP:192.168.1.50MAC:C6:02:14:00:1F:B3');
    await until(() => got.length >= 2);
    await new Promise((r) => setTimeout(r, 30));
    expect(got.map((r) => [r.make, r.ip, r.mac, r.from])).toEqual([
      ['antminer', '192.168.1.189', 'C4:F3:12:B3:9F:FC', '127.0.0.1'],
      ['whatsminer', '192.168.1.50', 'C6:02:14:00:1F:B3', '127.0.0.1'],
    ]);
  });

  it('a port already taken is LISTEN_FAILED and leaves nothing bound', async () => {
    const holder = createSocket('udp4');
    await new Promise<void>((r) => holder.bind(0, '127.0.0.1', () => r()));
    const taken = holder.address().port;
    const l = new IpReportListener({
      address: '127.0.0.1',
      ports: [
        { format: 'antminer', port: 0 },
        { format: 'whatsminer', port: taken },
      ],
      onReport: () => undefined,
    });
    const r = await l.start();
    holder.close();
    expect(!r.ok && r.error.code).toBe('LISTEN_FAILED');
  });
});
