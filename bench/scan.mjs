// Time and requests to scan a /24 with N simulated miners present (on loopback: 127.1.0.0/24, where
// the simulator gives each miner its own address), plus K hosts that accept a connection and never
// answer and J that answer junk; every other address refuses. Run `npx tsc -b` first.
// Options: --devices N (5), --hang K (0), --junk J (0), --concurrency C (64), --timeout MS (1500),
// --host-timeout MS (6000). One JSON line per figure.
import { createServer } from 'node:net';
import { createServer as createHttp } from 'node:http';
import { startFarm } from '../agent/dist/sim/index.js';
import { loadProfiles } from '../agent/dist/fleet/profiles.js';
import { parseRange } from '../agent/dist/discovery/address-range.js';
import { scan } from '../agent/dist/discovery/scanner.js';
import { report } from './report.mjs';

const BENCH = 'scan';
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const devices = arg('devices', 5);
const hang = arg('hang', 0);
const junk = arg('junk', 0);
const concurrency = arg('concurrency', 64);
const probeTimeoutMs = arg('timeout', 1500);
const hostTimeoutMs = arg('host-timeout', 6000);
if (devices + hang + junk > 254) throw new RangeError('devices + hang + junk must fit in a /24');

const API = 20_000 + Math.floor(Math.random() * 30_000);
const farm =
  devices > 0
    ? await startFarm({
        miners: devices,
        pools: ['stratum+tcp://127.0.0.1:9'], // nothing listens: the miners idle, their APIs answer
        perMinerAddress: true,
        apiBasePort: API,
        backoffMinMs: 60_000,
        backoffMaxMs: 60_000,
      })
    : null;

// Misbehaving hosts after the miners: the same two ports, at .(N+1) onward.
const servers = [];
const listen = (server, host, port) =>
  new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
for (let i = 0; i < hang + junk; i++) {
  const host = `127.1.0.${devices + 1 + i}`;
  const isHang = i < hang;
  const tcp = createServer((s) => {
    s.on('error', () => {});
    if (!isHang) s.end('\x00\xff garbage }{ not a miner\n');
  });
  const http = isHang
    ? createServer((s) => s.on('error', () => {}))
    : createHttp((_req, res) => res.end('<html>printer</html>'));
  await listen(tcp, host, API);
  await listen(http, host, API + 1);
  servers.push(tcp, http);
}

const profiles = loadProfiles();
if (!profiles.ok) throw new Error(profiles.error.message);
const range = parseRange('127.1.0.0/24');
if (!range.ok) throw new Error(range.error.message);
const started = performance.now();
const r = await scan([range.value], {
  profiles: profiles.value,
  concurrency,
  probeTimeoutMs,
  hostTimeoutMs,
  budgetMs: 120_000,
  portMap: { 4028: API, 80: API + 1 },
});
const ms = performance.now() - started;
const extra = { devices, hang, junk, concurrency, probeTimeoutMs };
report(BENCH, 'scan_24_seconds', ms / 1000, 's', extra);
report(BENCH, 'miners_found', r.miners.length, 'miners', extra);
report(BENCH, 'requests_to_miners', r.requests, 'requests', extra);
report(BENCH, 'requests_per_miner', r.miners.length ? r.requests / r.miners.length : 0, 'requests', extra);
report(BENCH, 'addresses_probed', r.probed, 'addresses', extra);
for (const s of servers) s.close();
await farm?.stop();
process.exit(r.miners.length === devices ? 0 : 1);
