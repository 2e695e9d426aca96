#!/usr/bin/env node
// `npm run bench -- NAME [args]` runs bench/NAME.mjs against the built packages (npm install builds them).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const [name, ...args] = process.argv.slice(2);
const available = readdirSync(here)
  .filter((f) => f.endsWith('.mjs'))
  .map((f) => f.slice(0, -4));
if (!name || !available.includes(name)) {
  console.error(`usage: npm run bench -- NAME\navailable: ${available.join(', ')}`);
  process.exit(name ? 2 : 0);
}
const script = join(here, `${name}.mjs`);
if (!existsSync(script)) process.exit(2);
const r = spawnSync(process.execPath, [script, ...args], { stdio: 'inherit' });
process.exit(r.status ?? 1);
