// Passive discovery, UDP "IP report": when the technician presses a miner's IP-report button it broadcasts
// its address. Antminer (and LuxOS/VNish on Antminer hardware) sends `ip,mac` to 14235; Whatsminer sends
// `IP:<ip>MAC:<mac>` to 8888. Listening costs nothing and sends nothing. Payloads: docs/discovery.md.
import { createSocket, type Socket } from 'node:dgram';
import { fail, ok, type Result } from '@farmhand/core';
import { parseIpv4 } from './address-range.js';

export type IpReportFormat = 'antminer' | 'whatsminer';

export interface IpReport {
  readonly make: 'antminer' | 'whatsminer';
  readonly ip: string;
  readonly mac: string | null;
  /** Where the datagram really came from (may differ from `ip` behind NAT or while DHCP settles). */
  readonly from: string;
  readonly port: number;
}

export const IP_REPORT_PORTS: readonly { readonly format: IpReportFormat; readonly port: number }[] = [
  { format: 'antminer', port: 14235 },
  { format: 'whatsminer', port: 8888 },
];

const MAC = '([0-9A-Fa-f]{2}(?:[:-][0-9A-Fa-f]{2}){5})';
const IP = '(\\d{1,3}(?:\\.\\d{1,3}){3})';
const FORMATS: Record<IpReportFormat, RegExp> = {
  antminer: new RegExp(`^\\s*${IP}\\s*,\\s*${MAC}`),
  whatsminer: new RegExp(`^\\s*IP:\\s*${IP}\\s*MAC:\\s*${MAC}`, 'i'),
};

/** The report in one datagram, or null when it is not one (anything else on the port is ignored). */
export function parseIpReport(
  format: IpReportFormat,
  payload: Uint8Array,
  from: string,
  port: number,
): IpReport | null {
  if (payload.length === 0 || payload.length > 512) return null;
  const text = Buffer.from(payload).toString('latin1');
  const m = FORMATS[format].exec(text);
  if (!m || parseIpv4(m[1] as string) === null) return null;
  return {
    make: format,
    ip: m[1] as string,
    mac: (m[2] as string).toUpperCase().replace(/-/g, ':'),
    from,
    port,
  };
}

export interface IpReportListenerOptions {
  readonly address?: string; // default 0.0.0.0: reports are broadcasts
  readonly ports?: readonly { readonly format: IpReportFormat; readonly port: number }[];
  /** A miner repeats its report for a while; the same report within this window is dropped. */
  readonly dedupeMs?: number;
  readonly onReport: (r: IpReport) => void;
}

export type IpReportErrorCode = 'LISTEN_FAILED';

export class IpReportListener {
  private readonly sockets: Socket[] = [];
  private readonly lastSeen = new Map<string, number>();

  constructor(private readonly opts: IpReportListenerOptions) {}

  /** Binds every port; if one cannot be bound (in use, no permission) nothing stays bound. */
  async start(): Promise<Result<readonly number[], IpReportErrorCode>> {
    const bound: number[] = [];
    for (const { format, port } of this.opts.ports ?? IP_REPORT_PORTS) {
      const s = createSocket({ type: 'udp4', reuseAddr: true });
      const r = await new Promise<Result<number, IpReportErrorCode>>((resolve) => {
        s.once('error', (e) =>
          resolve(
            fail('LISTEN_FAILED', `cannot listen for ${format} IP reports on UDP ${port}: ${e.message}`),
          ),
        );
        s.bind(port, this.opts.address ?? '0.0.0.0', () => resolve(ok(s.address().port)));
      });
      if (!r.ok) {
        s.close();
        this.stop();
        return r;
      }
      s.on('error', () => undefined);
      s.on('message', (msg, rinfo) => this.receive(format, r.value, msg, rinfo.address));
      this.sockets.push(s);
      bound.push(r.value);
    }
    return ok(bound);
  }

  private receive(format: IpReportFormat, port: number, msg: Buffer, from: string): void {
    const report = parseIpReport(format, msg, from, port);
    if (!report) return;
    const key = `${format}|${report.ip}|${report.mac ?? ''}`;
    const now = Date.now();
    const prev = this.lastSeen.get(key);
    this.lastSeen.set(key, now);
    if (prev !== undefined && now - prev < (this.opts.dedupeMs ?? 10_000)) return;
    this.opts.onReport(report);
  }

  stop(): void {
    for (const s of this.sockets.splice(0)) {
      try {
        s.close();
      } catch {
        // already closed
      }
    }
  }
}
