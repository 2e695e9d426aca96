import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateProfile } from '../../../agent/src/fleet/firmware-profile.js';
import { loadProfiles, PROFILES_DIR } from '../../../agent/src/fleet/profiles.js';

const REQUIRED = [
  'antminer-stock',
  'braiins-os',
  'whatsminer-btminer-v2',
  'whatsminer-btminer-v3',
  'avalon',
  'luxos',
  'vnish',
  'axeos',
];

describe('firmware profiles', () => {
  it('every file in firmware-profiles/ validates, and the required makes are all there', () => {
    const r = loadProfiles();
    if (!r.ok) throw new Error(r.error.message);
    const ids = r.value.map((p) => p.id);
    expect(ids).toEqual(expect.arrayContaining(REQUIRED));
    for (const p of r.value) {
      expect(p.identify.length).toBeGreaterThan(0);
      expect(p.changePools.notes.length).toBeGreaterThan(10);
    }
  });

  it('orders imitators before what they imitate', () => {
    const r = loadProfiles();
    if (!r.ok) throw new Error(r.error.message);
    const order = r.value.map((p) => p.id);
    expect(order.indexOf('vnish')).toBeLessThan(order.indexOf('antminer-stock'));
    expect(order.indexOf('braiins-os')).toBeLessThan(order.indexOf('antminer-stock'));
    expect(order.indexOf('luxos')).toBeLessThan(order.indexOf('antminer-stock'));
  });

  it('states the defaults the issue asks for', () => {
    const r = loadProfiles();
    if (!r.ok) throw new Error(r.error.message);
    const by = Object.fromEntries(r.value.map((p) => [p.id, p]));
    expect(by['antminer-stock']?.changePools.defaultCredentials).toEqual({ user: 'root', password: 'root' });
    expect(by['antminer-stock']?.ipReport?.udpPort).toBe(14235);
    expect(by['whatsminer-btminer-v2']?.changePools.defaultCredentials).toEqual({
      user: 'admin',
      password: 'admin',
    });
    expect(by['whatsminer-btminer-v2']?.ipReport?.udpPort).toBe(8888);
    expect(by['braiins-os']?.changePools.defaultCredentials).toEqual({ user: 'root', password: '' });
    expect(by['axeos']?.changePools.defaultCredentials).toBeNull();
    expect(by['axeos']?.mdns?.subtype).toBe('_axeos');
    expect(by['braiins-os']?.status.hashrateUnit).toBe('MH');
    expect(by['antminer-stock']?.status.hashrateUnit).toBe('GH');
  });

  it('rejects a profile with a wrong field, naming it', () => {
    const good = JSON.parse(readFileSync(join(PROFILES_DIR, 'axeos.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(validateProfile(good, 'axeos').ok).toBe(true);
    const cases: [Record<string, unknown>, string][] = [
      [{ ...good, id: 'other' }, 'file name'],
      [{ ...good, identify: [] }, 'identify'],
      [{ ...good, ports: [{ name: 'web', port: 70000, transport: 'http' }] }, 'ports[0].port'],
      [{ ...good, status: { ...(good.status as object), hashrateUnit: 'PH' } }, 'status.hashrateUnit'],
      [
        { ...good, changePools: { ...(good.changePools as object), restarts: 'yes' } },
        'changePools.restarts',
      ],
      [{ ...good, colour: 'red' }, 'colour'],
    ];
    for (const [bad, needle] of cases) {
      const v = validateProfile(bad, 'axeos');
      expect(v.ok).toBe(false);
      if (!v.ok) {
        expect(v.error.code).toBe('INVALID_PROFILE');
        expect(v.error.message).toContain(needle);
      }
    }
  });

  it('a broken file fails the load with its name', () => {
    const dir = mkdtempSync(join(tmpdir(), 'profiles-'));
    writeFileSync(join(dir, 'broken.json'), '{"id": "broken"');
    const r = loadProfiles(dir);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toContain('broken.json');
  });
});
