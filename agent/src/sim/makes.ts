// What each simulated make looks like from the outside: its Stratum habits, which device APIs it
// serves, and the identity strings those APIs report. Values come from real replies in
// shared/fixtures/asics (see docs/simulator.md for the file each one was read from).

export type MakeName = 'antminer' | 'braiins' | 'whatsminer' | 'avalon' | 'bitaxe';

export const MAKE_NAMES: readonly MakeName[] = ['antminer', 'braiins', 'whatsminer', 'avalon', 'bitaxe'];

/** Which cgminer-style reply dialect the TCP API speaks (null: the make has no such API). */
export type CgminerDialect = 'bmminer' | 'bosminer' | 'btminer' | 'avalon';

export interface MakeProfile {
  readonly make: MakeName;
  /** The mining.subscribe user agent the firmware sends. */
  readonly userAgent: string;
  /** BIP310 version rolling: the mask requested in mining.configure, or null when the make does not roll. */
  readonly versionRollingMask: number | null;
  /** version-rolling.min-bit-count sent with the mask, or null when the firmware leaves it out. */
  readonly versionRollingMinBits: number | null;
  /** mining.configure before mining.subscribe (cgminer family) or right after it (ESP-Miner). */
  readonly configureFirst: boolean;
  /** mining.suggest_difficulty sent after authorize (AxeOS does; its default is 1000). */
  readonly suggestsDifficulty: boolean;
  readonly cgminer: CgminerDialect | null;
  /** cgminer write commands (addpool, switchpool, ...) accepted on the API port. */
  readonly cgminerPoolWrites: boolean;
  /** HTTP API served beside the TCP API. */
  readonly http: 'antminer-cgi' | 'axeos' | null;
  /** UDP IP-report button: destination port and payload shape. */
  readonly ipReport: { readonly port: number; readonly format: 'antminer' | 'whatsminer' } | null;
  /** Advertised over mDNS (_http._tcp, subtype _axeos). */
  readonly mdns: boolean;
  readonly model: string;
  /** Nominal hashrate of the real device, GH/s: used only for temperature/fan plausibility. */
  readonly nominalGhs: number;
  readonly fans: number;
  readonly boards: number;
  /** Device MAC prefix (OUI-like); the simulator fills in the last three bytes per miner. */
  readonly macPrefix: string;
}

const BIP320 = 0x1fffe000;

export const MAKES: Readonly<Record<MakeName, MakeProfile>> = {
  antminer: {
    make: 'antminer',
    userAgent: 'bmminer/2.0.0',
    versionRollingMask: BIP320,
    versionRollingMinBits: 2,
    configureFirst: true,
    suggestsDifficulty: false,
    cgminer: 'bmminer',
    cgminerPoolWrites: true, // stock api-allow is "A:0/0,W:*"
    http: 'antminer-cgi',
    ipReport: { port: 14235, format: 'antminer' },
    mdns: false,
    model: 'Antminer S9',
    nominalGhs: 13_500,
    fans: 2,
    boards: 3,
    macPrefix: '70:B3:F5',
  },
  braiins: {
    make: 'braiins',
    userAgent: 'bosminer/0.2.0-36c56a9363',
    versionRollingMask: BIP320,
    versionRollingMinBits: 2,
    configureFirst: true,
    suggestsDifficulty: false,
    cgminer: 'bosminer',
    cgminerPoolWrites: false, // the cgminer API of Braiins OS is read-only
    http: null,
    ipReport: null,
    mdns: false,
    model: 'Antminer S9',
    nominalGhs: 14_000,
    fans: 4,
    boards: 3,
    macPrefix: '00:0A:2F',
  },
  whatsminer: {
    make: 'whatsminer',
    userAgent: 'btminer/3.1.0',
    versionRollingMask: BIP320,
    versionRollingMinBits: 2,
    configureFirst: true,
    suggestsDifficulty: false,
    cgminer: 'btminer',
    cgminerPoolWrites: false, // btminer writes need the token + AES channel
    http: null,
    ipReport: { port: 8888, format: 'whatsminer' },
    mdns: false,
    model: 'M31S',
    nominalGhs: 76_000,
    fans: 2,
    boards: 3,
    macPrefix: 'C6:06:12',
  },
  avalon: {
    make: 'avalon',
    userAgent: 'cgminer/4.11.1',
    versionRollingMask: BIP320,
    versionRollingMinBits: 2,
    configureFirst: true,
    suggestsDifficulty: false,
    cgminer: 'avalon',
    cgminerPoolWrites: true,
    http: null,
    ipReport: null,
    mdns: false,
    model: 'AvalonMiner 15-194',
    nominalGhs: 194_000,
    fans: 2,
    boards: 3,
    macPrefix: '12:34:56',
  },
  bitaxe: {
    make: 'bitaxe',
    userAgent: 'bitaxe/BM1370/v2.12.2',
    // A recorded Bitaxe session (fixtures/bitcoin/stratum-sessions.json): subscribe, then configure
    // with mask ffffffff and no min-bit-count, authorize, then suggest_difficulty.
    versionRollingMask: 0xffffffff,
    versionRollingMinBits: null,
    configureFirst: false,
    suggestsDifficulty: true,
    cgminer: null,
    cgminerPoolWrites: false,
    http: 'axeos',
    ipReport: null,
    mdns: true,
    model: 'Gamma',
    nominalGhs: 1_071,
    fans: 1,
    boards: 1,
    macPrefix: '10:F5:12',
  },
};

export function isMakeName(s: string): s is MakeName {
  return (MAKE_NAMES as readonly string[]).includes(s);
}
