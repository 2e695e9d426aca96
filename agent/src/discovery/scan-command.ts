// `farmhand scan <cidr or a-b range>...`: a one-off scan without a running agent. Only the ranges given
// are scanned. Exit code 0 whether or not miners were found; 2 when a range cannot be read.
import { networkInterfaces } from 'node:os';
import { Command } from 'commander';
import type { PortMap } from '../fleet/host-probe.js';
import type { MinerReading } from '../fleet/miner-reader.js';
import { loadProfiles } from '../fleet/profiles.js';
import { parseRange, type AddressRange } from './address-range.js';
import { suggestRanges } from './local-subnets.js';
import { scan, SCAN_DEFAULTS } from './scanner.js';

export interface ScanCliOptions {
  readonly json?: boolean;
  readonly suggest?: boolean;
  readonly portMap?: string;
  readonly concurrency?: string;
  readonly timeout?: string;
  readonly hostTimeout?: string;
  readonly budget?: string;
}

export interface Io {
  out(text: string): void;
  err(text: string): void;
}

/** `4028=14028,80=18080`: default port → port used (simulators and tests listen on high ports). */
export function parsePortMap(text: string): PortMap | null {
  const map: Record<number, number> = {};
  for (const pair of text.split(',').filter((p) => p.trim() !== '')) {
    const m = /^\s*(\d{1,5})\s*[=:]\s*(\d{1,5})\s*$/.exec(pair);
    if (!m) return null;
    const from = Number(m[1]);
    const to = Number(m[2]);
    if (from < 1 || from > 65535 || to < 1 || to > 65535) return null;
    map[from] = to;
  }
  return map;
}

function positive(text: string | undefined, fallback: number): number | null {
  if (text === undefined) return fallback;
  const n = Number(text);
  return Number.isInteger(n) && n > 0 ? n : null;
}

/** The fields `--json` promises, in a stable order. */
export function minerJson(m: MinerReading): Record<string, unknown> {
  return {
    ip: m.ip,
    make: m.make,
    model: m.model,
    firmware: m.firmware,
    firmwareVersion: m.firmwareVersion,
    hashrateThs: m.hashrateThs,
    boards: m.boards,
    fans: m.fans,
    pools: m.pools,
    uptimeS: m.uptimeS,
    ...(m.powerW !== undefined ? { powerW: m.powerW } : {}),
    ...(m.errors !== undefined ? { errors: m.errors } : {}),
  };
}

function table(miners: readonly MinerReading[]): string {
  const rows = [['IP', 'MAKE', 'MODEL', 'FIRMWARE', 'VERSION', 'TH/s', 'BOARDS', 'FANS', 'POOL']];
  for (const m of miners) {
    rows.push([
      m.ip,
      m.make,
      m.model ?? '-',
      m.firmware,
      m.firmwareVersion ?? '-',
      m.hashrateThs === null ? '-' : m.hashrateThs.toFixed(2),
      String(m.boards.length),
      String(m.fans.length),
      m.pools[0]?.url ?? '-',
    ]);
  }
  const widths = (rows[0] as string[]).map((_, i) => Math.max(...rows.map((r) => (r[i] as string).length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i] as number))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export async function runScan(rangeTexts: readonly string[], o: ScanCliOptions, io: Io): Promise<number> {
  if (o.suggest) {
    // Propose, never scan: the technician picks what to pass back to `farmhand scan`.
    const ranges = suggestRanges(networkInterfaces());
    if (o.json) io.out(`${JSON.stringify(ranges, null, 2)}\n`);
    else if (ranges.length === 0) io.out('no IPv4 LAN interface found\n');
    else for (const r of ranges) io.out(`${r.cidr}  (${r.interface}, this machine ${r.address})\n`);
    return 0;
  }
  if (rangeTexts.length === 0) {
    io.err(
      "farmhand scan: give at least one range to scan (farmhand scan --suggest lists this machine's subnets)\n",
    );
    return 2;
  }
  const ranges: AddressRange[] = [];
  for (const t of rangeTexts) {
    const r = parseRange(t);
    if (!r.ok) {
      io.err(`farmhand scan: ${r.error.message}\n`);
      return 2;
    }
    ranges.push(r.value);
  }
  const portMap = o.portMap === undefined ? undefined : parsePortMap(o.portMap);
  if (portMap === null) {
    io.err(`farmhand scan: --port-map "${o.portMap}" is not a list like 4028=14028,80=18080\n`);
    return 2;
  }
  const concurrency = positive(o.concurrency, SCAN_DEFAULTS.concurrency);
  const probeTimeoutMs = positive(o.timeout, SCAN_DEFAULTS.probeTimeoutMs);
  const hostTimeoutMs = positive(o.hostTimeout, SCAN_DEFAULTS.hostTimeoutMs);
  const budgetMs = positive(o.budget, SCAN_DEFAULTS.budgetMs);
  if (concurrency === null || probeTimeoutMs === null || hostTimeoutMs === null || budgetMs === null) {
    io.err(
      'farmhand scan: --concurrency, --timeout, --host-timeout and --budget take positive whole numbers\n',
    );
    return 2;
  }
  const profiles = loadProfiles();
  if (!profiles.ok) {
    io.err(`farmhand scan: ${profiles.error.message}\n`);
    return 1;
  }
  const report = await scan(ranges, {
    profiles: profiles.value,
    concurrency,
    probeTimeoutMs,
    hostTimeoutMs,
    budgetMs,
    ...(portMap ? { portMap } : {}),
  });
  if (o.json) {
    io.out(`${JSON.stringify(report.miners.map(minerJson), null, 2)}\n`);
  } else {
    if (report.miners.length > 0) io.out(`${table(report.miners)}\n`);
    io.out(
      `${report.miners.length} miner(s) in ${report.addresses} address(es), ${(report.elapsedMs / 1000).toFixed(1)} s${report.budgetExhausted ? `; budget spent, ${report.skipped} address(es) not probed` : ''}\n`,
    );
  }
  if (o.json && report.budgetExhausted)
    io.err(`farmhand scan: budget spent, ${report.skipped} address(es) not probed\n`);
  return 0;
}

export function scanCommand(): Command {
  return new Command('scan')
    .description(
      'find the miners in the given address ranges (CIDR or a-b), identify them and read their status',
    )
    .argument(
      '[ranges...]',
      'CIDR (192.168.1.0/24), a-b range (192.168.1.10-192.168.1.60 or 192.168.1.10-60) or one address',
    )
    .option('--json', 'print a JSON array of the miners found')
    .option('--suggest', "list this machine's LAN subnets to scan, without scanning")
    .option(
      '--port-map <pairs>',
      'probe other ports than the defaults, e.g. 4028=14028,80=18080 (simulators, tests)',
    )
    .option(
      '--concurrency <n>',
      `hosts probed at once (default ${SCAN_DEFAULTS.concurrency}; one request at a time per host)`,
    )
    .option('--timeout <ms>', `per request (default ${SCAN_DEFAULTS.probeTimeoutMs})`)
    .option('--host-timeout <ms>', `per host (default ${SCAN_DEFAULTS.hostTimeoutMs})`)
    .option('--budget <ms>', `whole scan (default ${SCAN_DEFAULTS.budgetMs})`)
    .action(async (ranges: string[], o: ScanCliOptions) => {
      process.exitCode = await runScan(ranges, o, {
        out: (t) => process.stdout.write(t),
        err: (t) => process.stderr.write(t),
      });
    });
}
