// `farmhand miners [--agent URL] [--json]`: the agent's device inventory, read through the control API
// (GET /api/v1/discovery), printed the way `farmhand scan` prints what it finds.
import { Command } from 'commander';
import type { Device } from '@farmhand/core/control-api';

export interface MinersCliOptions {
  readonly agent?: string;
  readonly token?: string;
  readonly json?: boolean;
}

export interface Io {
  out(text: string): void;
  err(text: string): void;
}

interface InventoryDevice extends Device {
  boards?: unknown[];
  fans?: number[];
  pools?: { url: string; user: string }[];
  uptimeS?: number | null;
}

/** The `farmhand scan --json` fields first, then what only the inventory knows. */
export function deviceJson(d: InventoryDevice): Record<string, unknown> {
  return {
    ip: d.ip,
    make: d.make,
    model: d.model,
    firmware: d.firmware,
    firmwareVersion: d.firmwareVersion,
    hashrateThs: d.hashrateThs,
    boards: d.boards ?? [],
    fans: d.fans ?? [],
    pools: d.pools ?? [],
    uptimeS: d.uptimeS ?? null,
    mac: d.mac,
    serial: d.serial,
    adopted: d.adopted,
    firstSeen: d.firstSeen,
    lastSeen: d.lastSeen,
  };
}

function table(devices: readonly InventoryDevice[], now: number): string {
  const rows = [['IP', 'MAKE', 'MODEL', 'FIRMWARE', 'VERSION', 'TH/s', 'ADOPTED', 'SEEN', 'POOL']];
  for (const d of devices) {
    const ago = Math.max(0, Math.round((now - d.lastSeen) / 1000));
    rows.push([
      d.ip,
      d.make,
      d.model ?? '-',
      d.firmware ?? '-',
      d.firmwareVersion ?? '-',
      d.hashrateThs === null ? '-' : d.hashrateThs.toFixed(2),
      d.adopted ? 'yes' : 'no',
      ago < 120 ? `${ago}s ago` : `${Math.round(ago / 60)}m ago`,
      d.pools?.[0]?.url ?? '-',
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

export async function runMiners(o: MinersCliOptions, io: Io): Promise<number> {
  const base = (o.agent ?? 'http://127.0.0.1:8080').replace(/\/+$/, '');
  const token = o.token ?? process.env.FARMHAND_TOKEN;
  let body: { devices?: InventoryDevice[]; error?: { message?: string } };
  let status: number;
  try {
    const res = await fetch(`${base}/api/v1/discovery`, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
      signal: AbortSignal.timeout(10_000),
    });
    status = res.status;
    body = (await res.json()) as typeof body;
  } catch (e) {
    io.err(
      `farmhand miners: cannot reach the agent at ${base}: ${(e as Error).message} (is \`farmhand agent\` running? --agent URL)\n`,
    );
    return 1;
  }
  if (status !== 200 || !Array.isArray(body.devices)) {
    io.err(`farmhand miners: the agent answered ${status}: ${body.error?.message ?? 'no device list'}\n`);
    return 1;
  }
  const devices = body.devices;
  if (o.json) io.out(`${JSON.stringify(devices.map(deviceJson), null, 2)}\n`);
  else {
    if (devices.length > 0) io.out(`${table(devices, Date.now())}\n`);
    io.out(
      `${devices.length} device(s) in the inventory, ${devices.filter((d) => d.adopted).length} adopted\n`,
    );
  }
  return 0;
}

export function minersCommand(): Command {
  return new Command('miners')
    .description("list the agent's device inventory (what discovery found), through its control API")
    .option('--agent <url>', 'control API address', 'http://127.0.0.1:8080')
    .option('--token <token>', 'bearer token (control.token); or FARMHAND_TOKEN')
    .option(
      '--json',
      'print a JSON array (the fields of `farmhand scan --json`, plus mac, serial, adopted, seen)',
    )
    .action(async (o: MinersCliOptions) => {
      process.exitCode = await runMiners(o, {
        out: (t) => process.stdout.write(t),
        err: (t) => process.stderr.write(t),
      });
    });
}
