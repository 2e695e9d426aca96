// How numbers read on screen. Hashrates arrive in H/s; times in unix milliseconds.

const HASH_UNITS = ['H/s', 'kH/s', 'MH/s', 'GH/s', 'TH/s', 'PH/s', 'EH/s', 'ZH/s'];

/** 1.25e15 → "1.25 PH/s": three significant digits, SI prefixes. */
export function formatHashrate(hps: number): string {
  if (!Number.isFinite(hps) || hps <= 0) return '0 H/s';
  let unit = 0;
  let value = hps;
  while (value >= 999.5 && unit < HASH_UNITS.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${significant(value)} ${HASH_UNITS[unit]}`;
}

function significant(value: number): string {
  if (value >= 99.95) return value.toFixed(0);
  if (value >= 9.995) return value.toFixed(1);
  return value.toFixed(2);
}

/** 1234567 → "1,234,567". */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** part of whole as "0.12%"; "–" when there is no whole. */
export function formatPercent(part: number, whole: number, ascii = false): string {
  if (whole <= 0) return ascii ? '-' : '–';
  const pct = (part / whole) * 100;
  if (pct === 0) return '0%';
  return `${pct >= 10 ? pct.toFixed(0) : pct.toFixed(pct >= 1 ? 1 : 2)}%`;
}

/** An age in a compact form: "12 s", "5 min", "3 h", "2 d". */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h`;
  return `${Math.floor(h / 24)} d`;
}

/** The age of a timestamp against now, "never" when there is none. */
export function formatSince(at: number | null, now: number): string {
  return at === null ? 'never' : formatAge(now - at);
}

/** Uptime: "3d 4h", "4h 12m", "12m 3s". */
export function formatUptime(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  return `${m}m ${s % 60}s`;
}

/** "07:42:10" in local time: event and error timestamps. */
export function formatClock(at: number): string {
  const d = new Date(at);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export function formatLatency(ms: number | null): string {
  return ms === null ? '–' : `${Math.round(ms)} ms`;
}

/** Hottest sensor, "72°C" (or "72C" in ASCII). */
export function formatTemps(temps: number[], ascii = false): string {
  if (temps.length === 0) return ascii ? '-' : '–';
  return `${Math.round(Math.max(...temps))}${ascii ? 'C' : '°C'}`;
}

/** Slowest fan, the one that matters: "5,400". "0" is a stopped fan, shown as is. */
export function formatFans(fans: number[], ascii = false): string {
  if (fans.length === 0) return ascii ? '-' : '–';
  return formatCount(Math.min(...fans));
}
