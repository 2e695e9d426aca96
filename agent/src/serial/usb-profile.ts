import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fail, ok, type Result } from '@farmhand/core';
import { z } from 'zod';
import { PROFILES_DIR } from '../fleet/profiles.js';

// firmware-profiles/usb-*.json: which USB ids the agent mines with itself (driver "icarus") and which
// need a supervised host miner (driver "host-miner"). Data, so a new stick is a new line.

const usbDevice = z
  .object({
    usbId: z.string().regex(/^[0-9a-f]{4}:[0-9a-f]{4}$/, 'expected vvvv:pppp in lowercase hex'),
    chip: z.string().min(1),
    models: z.string().min(1),
    hashrate: z.number().positive().optional(),
  })
  .strict();

const usbProfile = z
  .object({
    $comment: z.string().optional(),
    id: z.string().regex(/^usb-[a-z0-9-]+$/),
    kind: z.literal('usb'),
    driver: z.enum(['icarus', 'host-miner']),
    title: z.string().min(1),
    baud: z.number().int().positive().optional(),
    difficulty: z.number().positive(),
    devices: z.array(usbDevice).min(1),
  })
  .strict();

export type UsbProfile = z.infer<typeof usbProfile>;

export interface UsbMatch {
  readonly profile: UsbProfile;
  readonly device: UsbProfile['devices'][number];
}

export function loadUsbProfiles(dir: string = PROFILES_DIR): Result<UsbProfile[], 'INVALID_PROFILE'> {
  const out: UsbProfile[] = [];
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.startsWith('usb-') && n.endsWith('.json'));
  } catch (e) {
    return fail('INVALID_PROFILE', `cannot list ${dir}: ${(e as Error).message}`);
  }
  for (const name of names.sort()) {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(join(dir, name), 'utf8'));
    } catch (e) {
      return fail('INVALID_PROFILE', `${name}: not readable JSON: ${(e as Error).message}`);
    }
    const r = usbProfile.safeParse(raw);
    if (!r.success) {
      const issue = r.error.issues[0]!;
      return fail('INVALID_PROFILE', `${name}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
    }
    if (r.data.id !== name.replace(/\.json$/, ''))
      return fail('INVALID_PROFILE', `${name}: id ${r.data.id} does not match the file name`);
    out.push(r.data);
  }
  return ok(out);
}

/** The profile entry for a vendor:product id, if any. */
export function matchUsb(profiles: readonly UsbProfile[], usbId: string): UsbMatch | undefined {
  const id = usbId.toLowerCase();
  for (const profile of profiles) {
    const device = profile.devices.find((d) => d.usbId === id);
    if (device) return { profile, device };
  }
  return undefined;
}
