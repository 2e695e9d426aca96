import type { Command } from 'commander';
import { checkFarmOptions, startFarm, type FarmOptions } from './farm.js';
import { isMakeName, type MakeName } from './makes.js';
import { startIcarusDevices, type SimulatedIcarus } from './icarus-device.js';

// `farmhand sim`: a simulated farm in the foreground until SIGINT/SIGTERM, one summary line a period.

function collect(v: string, prev: string[]): string[] {
  return [...prev, v];
}

function formatRate(hs: number): string {
  const units = ['H/s', 'kH/s', 'MH/s', 'GH/s', 'TH/s'];
  let v = hs;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${v.toFixed(1)} ${units[u]!}`;
}

export function registerSim(program: Command): void {
  program
    .command('sim')
    .description('run a simulated ASIC farm (mixed makes, real Stratum work, device APIs) until Ctrl-C')
    .option('--miners <n>', 'number of simulated miners', '10')
    .option('--pool <url>', 'stratum+tcp://[user[:pass]@]host:port (repeat for failover order)', collect, [])
    .option('--makes <list>', 'comma-separated: antminer,braiins,whatsminer,avalon,bitaxe')
    .option('--hashrate <h>', 'simulated hashes per second per miner', '50000')
    .option('--account <name>', 'account part of worker names (<account>.<make>-<n>)')
    .option('--api-base-port <port>', 'first device-API port (default: ephemeral ports)')
    .option('--no-apis', 'do not serve device APIs (load tests)')
    .option('--mdns-port <port>', 'loopback UDP port of the mDNS responder for AxeOS devices')
    .option('--interval <s>', 'seconds between summary lines', '10')
    .option('--icarus <n>', 'also simulate N Icarus USB miners on pseudo-terminals (alone when no --pool)')
    .option('--icarus-difficulty <d>', 'difficulty of the nonces the Icarus devices report', '0.000001')
    .action(async (o: Record<string, string | string[] | boolean | undefined>) => {
      const makes = typeof o['makes'] === 'string' ? o['makes'].split(',').map((s) => s.trim()) : undefined;
      const bad = makes?.filter((m) => !isMakeName(m));
      if (bad && bad.length > 0) {
        console.error(
          `farmhand sim: unknown make(s) ${bad.join(', ')}; use antminer, braiins, whatsminer, avalon, bitaxe`,
        );
        process.exitCode = 2;
        return;
      }
      const icarusCount = Number(o['icarus'] ?? 0);
      let icarus: SimulatedIcarus[] = [];
      if (icarusCount > 0) {
        icarus = await startIcarusDevices(
          icarusCount,
          { hashrate: Number(o['hashrate']), difficulty: Number(o['icarusDifficulty']) },
          (line) => console.log(line),
        );
        if (((o['pool'] as string[] | undefined) ?? []).length === 0) {
          await new Promise<void>((resolve) => {
            process.once('SIGINT', resolve);
            process.once('SIGTERM', resolve);
          });
          for (const d of icarus) await d.stop();
          return;
        }
      }
      const opts: FarmOptions = {
        miners: Number(o['miners']),
        pools: (o['pool'] as string[] | undefined) ?? [],
        hashrate: Number(o['hashrate']),
        apis: o['apis'] !== false,
        ...(makes ? { makes: makes as MakeName[] } : {}),
        ...(typeof o['account'] === 'string' ? { account: o['account'] } : {}),
        ...(typeof o['apiBasePort'] === 'string' ? { apiBasePort: Number(o['apiBasePort']) } : {}),
        ...(typeof o['mdnsPort'] === 'string'
          ? { mdns: { port: Number(o['mdnsPort']), host: '127.0.0.1' as const } }
          : {}),
      };
      const checked = checkFarmOptions(opts);
      if (!checked.ok) {
        console.error(`farmhand sim: ${checked.error.message}`);
        for (const d of icarus) await d.stop();
        process.exitCode = 2;
        return;
      }
      const farm = await startFarm(opts);
      const first = farm.miners[0];
      console.log(
        `farmhand sim: ${farm.miners.length} miners → ${opts.pools.join(' , ')}` +
          (first?.apiPort ? ` ; first cgminer API ${first.host}:${first.apiPort}` : '') +
          (farm.mdnsPort ? ` ; mDNS on 127.0.0.1:${farm.mdnsPort}` : ''),
      );
      // Where to find the first few devices, for a technician poking at them by hand.
      for (const m of farm.miners.slice(0, 10)) {
        const api = m.apiPort !== null ? ` cgminer ${m.host}:${m.apiPort}` : '';
        const http = m.httpPort !== null ? ` http ${m.host}:${m.httpPort}` : '';
        console.log(`  ${m.name.padEnd(14)} ${m.worker}${api}${http}`);
      }
      if (farm.miners.length > 10) console.log(`  … and ${farm.miners.length - 10} more`);
      const period = Math.max(1, Number(o['interval'])) * 1000;
      const timer = setInterval(() => {
        const t = farm.totals();
        console.log(
          `${new Date().toISOString()} connected ${t.connected}/${farm.miners.length} accepted ${t.accepted} rejected ${t.rejected} hashrate ${formatRate(t.hashrate)}`,
        );
      }, period);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      clearInterval(timer);
      await farm.stop();
      for (const d of icarus) await d.stop();
    });
}
