// Everything said to one host during identification and status reading goes through here: one request
// at a time (never flood a device), each distinct request sent once (cached), a port that refused or hung
// is not asked again, and the whole conversation fits the host's time budget.
import type { IncomingHttpHeaders } from 'node:http';
import { cgminerCommand, whatsminerV3Command, type Endpoint } from './cgminer-client.js';
import type { CgminerReply, JsonObject } from './cgminer-reply.js';
import { parseCgminerReply } from './cgminer-reply.js';
import type { FirmwareProfile, Transport } from './firmware-profile.js';
import { httpCall } from './http-client.js';

export type Answer =
  | { readonly kind: 'cgminer'; readonly reply: CgminerReply }
  | {
      readonly kind: 'http';
      readonly status: number;
      readonly headers: IncomingHttpHeaders;
      readonly body: string;
      readonly json: JsonObject | null;
    }
  | { readonly kind: 'none'; readonly code: string };

/** Default port → the port to really use (tests run devices on high ports). */
export type PortMap = Readonly<Record<number, number>>;

export interface HostProbeOptions {
  readonly portMap?: PortMap;
  /** Per request. */
  readonly probeTimeoutMs?: number;
  /** For the whole host. */
  readonly hostTimeoutMs?: number;
  readonly maxBytes?: number;
  readonly credentials?: Readonly<Record<string, { user: string; password: string }>>;
}

export class HostProbe {
  private readonly cache = new Map<string, Promise<Answer>>();
  private readonly deadPorts = new Set<number>();
  private hostDead = false;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly deadline: number;
  requestsSent = 0;

  constructor(
    readonly host: string,
    private readonly opts: HostProbeOptions = {},
  ) {
    this.deadline = Date.now() + (opts.hostTimeoutMs ?? 8000);
  }

  port(defaultPort: number): number {
    return this.opts.portMap?.[defaultPort] ?? defaultPort;
  }

  /**
   * The answer to `request` over `transport` on the profile's default `port`; sequential and cached.
   * With `profile`, an HTTP Digest challenge is answered with its credentials; identification probes pass
   * none, because the challenge itself (401 and its realm) is what identifies a stock Antminer.
   */
  ask(transport: Transport, port: number, request: string, profile?: FirmwareProfile): Promise<Answer> {
    const real = this.port(port);
    const key = `${transport}|${real}|${request}|${transport === 'http' && profile ? profile.id : ''}`;
    const cached = this.cache.get(key);
    if (cached) return cached;
    const run = this.queue.then(() => this.send(transport, real, request, profile));
    this.queue = run.catch(() => undefined);
    this.cache.set(key, run);
    return run;
  }

  /** Every answer received so far (after the conversation: what identification and status read). */
  async answers(): Promise<Answer[]> {
    return Promise.all(this.cache.values());
  }

  private async send(
    transport: Transport,
    port: number,
    request: string,
    profile?: FirmwareProfile,
  ): Promise<Answer> {
    if (this.hostDead) return { kind: 'none', code: 'HOST_DEAD' };
    if (this.deadPorts.has(port)) return { kind: 'none', code: 'PORT_DEAD' };
    const left = this.deadline - Date.now();
    if (left <= 0) return { kind: 'none', code: 'HOST_BUDGET_SPENT' };
    const to: Endpoint = { host: this.host, port };
    const timeoutMs = Math.min(this.opts.probeTimeoutMs ?? 3000, left);
    const maxBytes = this.opts.maxBytes ?? 1 << 20;
    this.requestsSent++;
    if (transport === 'http') {
      const m = /^(GET|POST) (\S+)/.exec(request);
      const creds = profile
        ? (this.opts.credentials?.[profile.id] ?? profile.changePools.defaultCredentials ?? undefined)
        : undefined;
      const r = await httpCall(to, {
        method: (m?.[1] as 'GET' | 'POST') ?? 'GET',
        path: m?.[2] ?? '/',
        timeoutMs,
        maxBytes,
        ...(creds ? { digest: creds } : {}),
      });
      if (!r.ok) return this.dead(port, r.error.code);
      const parsed = r.value.body.trimStart().startsWith('{') ? parseCgminerReply(r.value.body) : null;
      const json = parsed?.ok && parsed.value.form === 'json' ? parsed.value.data : null;
      return { kind: 'http', status: r.value.status, headers: r.value.headers, body: r.value.body, json };
    }
    if (transport === 'whatsminer-v3-tcp') {
      const [cmd, param] = request.split(' ');
      const r = await whatsminerV3Command(to, cmd ?? request, param, { timeoutMs, maxBytes });
      if (!r.ok) return this.dead(port, r.error.code);
      return { kind: 'cgminer', reply: r.value };
    }
    if (transport === 'cgminer-tcp') {
      const [command, parameter] = request.split(' ');
      const r = await cgminerCommand(to, command ?? request, {
        timeoutMs,
        maxBytes,
        ...(parameter !== undefined ? { parameter } : {}),
      });
      if (!r.ok) return this.dead(port, r.error.code);
      return { kind: 'cgminer', reply: r.value };
    }
    return { kind: 'none', code: 'NOT_PROBED' }; // grpc, udp and mdns are not asked per host
  }

  private dead(port: number, code: string): Answer {
    // Nothing accepted the connection: most likely no host there, so no other port is tried either.
    if (code === 'CONNECT_TIMEOUT') this.hostDead = true;
    // A refusal or a hang says the port is not there; garbage only says this request failed.
    if (code === 'CONNECT_REFUSED' || code === 'TIMEOUT' || code === 'CONNECT_FAILED' || code === 'BAD_HTTP')
      this.deadPorts.add(port);
    return { kind: 'none', code };
  }
}
