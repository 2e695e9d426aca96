// The producing side: any role pointed at an alertcenter sends its FATAL lines here as one UDP
// datagram each, `<host>: <message>`. Fire and forget, like the seed: alerting must never block a role.
import { createSocket, type Socket } from 'node:dgram';

export class AlertSender {
  private readonly socket: Socket;

  constructor(
    private readonly host: string,
    private readonly target: { readonly host: string; readonly port: number },
    private readonly maxBytes = 10_240,
  ) {
    this.socket = createSocket(target.host.includes(':') ? 'udp6' : 'udp4');
    this.socket.on('error', () => {});
    this.socket.unref();
  }

  send(message: string): void {
    const line = `${this.host}: ${message.replace(/\n/g, ' ')}`.slice(0, this.maxBytes);
    this.socket.send(line + '\n', this.target.port, this.target.host);
  }

  close(): void {
    this.socket.close();
  }
}

/**
 * pino hooks that copy every FATAL line to an alertcenter, so any role can be pointed at one:
 * `pino({ hooks: fatalToAlertcenter(sender) })`.
 */
export function fatalToAlertcenter(sender: AlertSender): {
  logMethod(this: unknown, args: unknown[], method: (...a: unknown[]) => void, level: number): void;
} {
  return {
    logMethod(args, method, level) {
      if (level >= 60) {
        const msg = args.find((a): a is string => typeof a === 'string');
        const obj = args[0];
        const err = typeof obj === 'object' && obj !== null && 'err' in obj ? ` (${String(obj.err)})` : '';
        sender.send(`${msg ?? 'fatal'}${err}`);
      }
      method.apply(this, args);
    },
  };
}

/** Parse `host:port` of an alertcenter. */
export function parseAlertTarget(s: string): { host: string; port: number } | undefined {
  const m = /^(.+):(\d{1,5})$/.exec(s);
  const port = Number(m?.[2]);
  if (!m || port < 1 || port > 65535) return undefined;
  return { host: m[1]!.replace(/^\[(.*)\]$/, '$1'), port };
}
