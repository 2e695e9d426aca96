import { createSocket } from 'node:dgram';

// The IP-report button: one UDP datagram with the device's address. Antminer sends "ip,mac" to
// port 14235; Whatsminer sends "IP:<ip>MAC:<mac>" to port 8888. The simulator sends to loopback only.

export function ipReportPayload(format: 'antminer' | 'whatsminer', d: { ip: string; mac: string }): string {
  return format === 'antminer' ? `${d.ip},${d.mac}` : `IP:${d.ip}MAC:${d.mac}`;
}

export async function sendIpReport(
  format: 'antminer' | 'whatsminer',
  device: { ip: string; mac: string },
  to: { host: string; port: number },
): Promise<string> {
  if (!to.host.startsWith('127.')) throw new RangeError('IP reports go to 127.0.0.0/8 only');
  const payload = ipReportPayload(format, device);
  const sock = createSocket('udp4');
  try {
    await new Promise<void>((resolve, reject) =>
      sock.send(Buffer.from(payload, 'ascii'), to.port, to.host, (e) => (e ? reject(e) : resolve())),
    );
  } finally {
    sock.close();
  }
  return payload;
}
