// Options miners put in the mining.authorize password, comma-separated: `x`, `d=512`, `x,d=0.01`.
// Only `d=N` (a fixed difficulty; vardiff off) is understood; anything else is ignored.

export interface PasswordOptions {
  readonly fixedDifficulty?: number;
}

export function parsePasswordOptions(password: string | undefined): PasswordOptions {
  if (password === undefined) return {};
  for (const part of password.split(',')) {
    const m = /^\s*[dD]=([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*$/.exec(part);
    if (!m) continue;
    const d = Number(m[1]);
    if (Number.isFinite(d) && d > 0) return { fixedDifficulty: d };
  }
  return {};
}
