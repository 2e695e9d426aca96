// Loads firmware-profiles/*.json (at the repository root, beside agent/) and validates each one.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { fail, ok, type Result } from '@farmhand/core';
import { validateProfile, type FirmwareProfile } from './firmware-profile.js';

// src/fleet and dist/fleet sit at the same depth, so one relative path serves both.
export const PROFILES_DIR = fileURLToPath(new URL('../../../firmware-profiles/', import.meta.url));

export type LoadProfilesError = 'INVALID_PROFILE' | 'PROFILES_UNREADABLE';

/** Every profile, sorted by identifyOrder; the first invalid file fails the load (a bad profile is a bug). */
export function loadProfiles(dir: string = PROFILES_DIR): Result<FirmwareProfile[], LoadProfilesError> {
  let names: string[];
  try {
    // usb-*.json describe USB serial devices (kind "usb"): agent/src/serial/usb-profile.ts reads those.
    names = readdirSync(dir).filter(
      (n) => n.endsWith('.json') && !n.endsWith('.schema.json') && !n.startsWith('usb-'),
    );
  } catch (e) {
    return fail('PROFILES_UNREADABLE', `cannot list firmware profiles in ${dir}: ${(e as Error).message}`);
  }
  const profiles: FirmwareProfile[] = [];
  for (const name of names.sort()) {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(join(dir, name), 'utf8'));
    } catch (e) {
      return fail('INVALID_PROFILE', `${name}: not readable JSON: ${(e as Error).message}`);
    }
    const v = validateProfile(raw, name.replace(/\.json$/, ''));
    if (!v.ok) return v;
    profiles.push(v.value);
  }
  profiles.sort((a, b) => a.identifyOrder - b.identifyOrder || a.id.localeCompare(b.id));
  return ok(profiles);
}
