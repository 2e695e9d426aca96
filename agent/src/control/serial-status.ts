import { matchUsb, portName, type SerialService, type UsbProfile } from '../serial/index.js';
import type { HostMinerRow, MinerRow, SerialDeviceRow, SerialPortRow, SerialStatus } from './types.js';

// GET /api/v1/serial: the serial service's live records in the control API's shape, with what the USB
// profiles say about each stick. The serial service starts after the control API (it needs the
// stratum port), so the control side reads it through a view that may still be missing.

export type SerialView = Pick<SerialService, 'devices' | 'usbPorts' | 'hostMinerStatus'>;

export function serialStatus(view: SerialView, profiles: readonly UsbProfile[]): SerialStatus {
  const devices = view.devices().map((d): SerialDeviceRow => {
    const match = d.usbId ? matchUsb(profiles, d.usbId) : undefined;
    return {
      name: portName(d.path),
      worker: d.worker,
      path: d.path,
      source: d.source,
      usbId: d.usbId,
      model: match?.device.models ?? 'Icarus',
      state: d.state,
      hashrate: d.stats.hashrate,
      accepted: d.stats.accepted,
      rejected: d.stats.rejected,
      hardwareErrors: d.stats.hardwareErrors,
      nonces: d.stats.nonces,
      stale: d.stats.stale,
      reopens: d.stats.reopens,
      lastNonceAt: d.stats.lastNonceAt,
      lastError: d.lastError,
    };
  });
  const hostMiners = view.hostMinerStatus().map((h): HostMinerRow => ({
    name: h.name,
    state: h.state as HostMinerRow['state'],
    pid: h.pid,
    starts: h.starts,
    hashrate: h.api?.mhsAverage !== undefined ? h.api.mhsAverage * 1e6 : null,
    accepted: h.api?.accepted ?? null,
    rejected: h.api?.rejected ?? null,
    hardwareErrors: h.api?.hardwareErrors ?? null,
    apiError: h.api && !h.api.ok ? (h.api.error ?? 'no answer') : null,
  }));
  const byPath = new Map(devices.map((d) => [d.path, d]));
  const ports = view.usbPorts().map((p): SerialPortRow => {
    const match = p.usbId ? matchUsb(profiles, p.usbId) : undefined;
    const [vendorId, productId] = p.usbId ? p.usbId.split(':') : [];
    // Which host miner claims which USB id is not in its record: name the state only when there is one.
    const hostMiner =
      match?.profile.driver === 'host-miner' && hostMiners.length === 1 ? hostMiners[0] : undefined;
    return {
      path: p.path,
      usbId: p.usbId,
      vendorId: vendorId ?? null,
      productId: productId ?? null,
      manufacturer: p.manufacturer ?? null,
      serialNumber: p.serialNumber ?? null,
      driver: match?.profile.driver ?? null,
      model: match?.device.models ?? null,
      state: byPath.get(p.path)?.state ?? hostMiner?.state ?? 'unused',
    };
  });
  return { ports, devices, hostMiners };
}

/** A miners-list row of a serial device says so: make "usb", model from its driver (matched by worker). */
export function withSerialFacts(rows: MinerRow[], devices: readonly SerialDeviceRow[]): MinerRow[] {
  if (devices.length === 0) return rows;
  const byWorker = new Map(devices.map((d) => [d.worker, d]));
  return rows.map((r) => {
    const d = byWorker.get(r.worker);
    return d ? { ...r, make: 'usb', model: d.model } : r;
  });
}
