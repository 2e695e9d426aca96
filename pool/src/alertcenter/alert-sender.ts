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
