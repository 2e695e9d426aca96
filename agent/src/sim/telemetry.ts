import type { MakeProfile } from './makes.js';

// Temperatures and fans that move plausibly: a slow drift plus noise around a make's usual
// operating point, rising with load. Computed on demand from the clock, so idle miners cost nothing.

export interface Telemetry {
  /** Per hash board: PCB and chip temperatures, °C. */
  readonly boards: readonly { readonly board: number; readonly chip: number }[];
  readonly fansRpm: readonly number[];
  /** Fan duty, percent. */
  readonly fanPercent: number;
  readonly inlet: number;
}

function wave(seed: number, t: number, periodS: number): number {
  return Math.sin((t / 1000 / periodS) * 2 * Math.PI + seed);
}

export function telemetryAt(profile: MakeProfile, seed: number, now: number, mining: boolean): Telemetry {
  const load = mining ? 1 : 0.2;
  const inlet = 24 + 3 * wave(seed, now, 3600);
  const boards = [];
  for (let b = 0; b < profile.boards; b++) {
    const drift = 2.5 * wave(seed + b, now, 300) + 0.8 * wave(seed * 3 + b, now, 17);
    const board = Math.round((inlet + 32 * load + drift) * 10) / 10;
    boards.push({ board, chip: Math.round((board + 12 * load + drift / 2) * 10) / 10 });
  }
  const hottest = Math.max(...boards.map((x) => x.chip));
  const fanPercent = Math.max(30, Math.min(100, Math.round(40 + (hottest - 70) * 3)));
  const base = profile.make === 'bitaxe' ? 5200 : profile.make === 'whatsminer' ? 6200 : 6000;
  const fansRpm = Array.from({ length: profile.fans }, (_, i) =>
    Math.round((base * fanPercent) / 100 + 60 * wave(seed + i * 7, now, 11)),
  );
  return { boards, fansRpm, fanPercent, inlet: Math.round(inlet * 10) / 10 };
}
