// identify(host) and readMiner(host): identification, then the status requests the profile lists,
// normalized into MinerStatus. One HostProbe per host keeps it to one request at a time.
import { fail, ok, type Result } from '@farmhand/core';
import type { FirmwareProfile } from './firmware-profile.js';
import { HostProbe, type HostProbeOptions } from './host-probe.js';
import { identifyWith, routeOf, type IdentifyError, type Identity } from './identify.js';
import type { MinerStatus, ReplySet } from './miner-status.js';
import { normalizeStatus } from './status-normalizer.js';
import type { JsonObject } from './cgminer-reply.js';

export interface ReadOptions extends HostProbeOptions {
  readonly profiles: readonly FirmwareProfile[];
}

export async function identify(host: string, opts: ReadOptions): Promise<Result<Identity, IdentifyError>> {
  try {
    return await identifyWith(new HostProbe(host, opts), opts.profiles);
  } catch (e) {
    return fail('NOT_A_MINER', `${host}: probing failed: ${(e as Error).message}`);
  }
}

export interface MinerReading extends MinerStatus {
  readonly ip: string;
  readonly profileId: string;
  /** Requests sent to this host, identification and status together. */
  readonly requests: number;
}

export async function readMiner(
  host: string,
  opts: ReadOptions,
): Promise<Result<MinerReading, IdentifyError>> {
  try {
    const probe = new HostProbe(host, opts);
    const id = await identifyWith(probe, opts.profiles);
    if (!id.ok) return id;
    const profile = id.value.profile;
    const replies: Record<string, JsonObject | undefined> = {};
    for (const request of profile.status.requests) {
      const route = routeOf(profile, request);
      if (!route) continue;
      const a = await probe.ask(route.transport, route.port, request, profile);
      if (a.kind === 'cgminer' && a.reply.form !== 'plain' && a.reply.status?.status !== 'E')
        replies[request] = a.reply.data;
      if (a.kind === 'http' && a.status === 200 && a.json) replies[request] = a.json;
    }
    const status = normalizeStatus(profile.status.normalizer, replies as ReplySet);
    return ok({
      ip: host,
      make: id.value.make,
      model: id.value.model,
      firmware: id.value.firmware,
      firmwareVersion: id.value.firmwareVersion,
      ...status,
      profileId: profile.id,
      requests: probe.requestsSent,
    });
  } catch (e) {
    return fail('NOT_A_MINER', `${host}: reading failed: ${(e as Error).message}`);
  }
}
