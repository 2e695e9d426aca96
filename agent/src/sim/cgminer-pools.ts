import type { PoolEntry, SimMiner } from './sim-miner.js';
import type { CgminerDialect } from './makes.js';
import type { Fields } from './cgminer-format.js';

// The POOLS section per dialect. Common cgminer fields, plus each firmware's own: bmminer's
// "0:00:23" Last Share Time and "65.5K" Diff, btminer numbering pools from 1, bosminer's AsicBoost.

function shortDiff(d: number): string {
  if (d >= 1e6) return `${(d / 1e6).toFixed(1)}M`;
  if (d >= 1e3) return `${(d / 1e3).toFixed(1)}K`;
  return d === 0 ? '' : String(Number(d.toPrecision(4)));
}

function sinceText(ms: number, now: number): string {
  if (ms === 0) return '0';
  const s = Math.max(0, Math.floor((now - ms) / 1000));
  return `${Math.floor(s / 3600)}:${String(Math.floor(s / 60) % 60).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

function stratumHost(url: string): string {
  return url.replace(/^stratum\+tcp:\/\//, '').replace(/:\d+$/, '');
}

export function poolRecords(m: SimMiner, dialect: CgminerDialect, now: number): Fields[] {
  const active = m.activePool;
  return m.pools.map((p: PoolEntry, i: number) => {
    const c = p.counters;
    const isActive = i === active;
    const status = !p.enabled ? 'Disabled' : p.status;
    const diff = isActive ? m.difficulty : 0;
    const rejectedPct =
      c.accepted + c.rejected > 0
        ? (100 * c.difficultyRejected) / (c.difficultyAccepted + c.difficultyRejected)
        : 0;
    const stalePct =
      c.accepted + c.stale > 0 ? (100 * c.difficultyStale) / (c.difficultyAccepted + c.difficultyStale) : 0;
    const lastShare = Math.floor(c.lastShareTime / 1000);
    const common: Fields = {
      POOL: dialect === 'btminer' ? i + 1 : i,
      URL: p.url,
      Status: status,
      Priority: p.priority,
      Quota: 1,
      'Long Poll': 'N',
      Getworks: c.getworks,
      Accepted: c.accepted,
      Rejected: c.rejected,
    };
    if (dialect === 'bmminer') {
      return {
        ...common,
        Discarded: 0,
        Stale: c.stale,
        'Get Failures': 0,
        'Remote Failures': 0,
        User: p.user,
        'Last Share Time': sinceText(c.lastShareTime, now),
        Diff: shortDiff(diff),
        'Diff1 Shares': Math.round(c.difficultyAccepted),
        'Proxy Type': '',
        Proxy: '',
        'Difficulty Accepted': c.difficultyAccepted,
        'Difficulty Rejected': c.difficultyRejected,
        'Difficulty Stale': c.difficultyStale,
        'Last Share Difficulty': c.lastShareDifficulty,
        'Has Stratum': true,
        'Stratum Active': isActive,
        'Stratum URL': isActive ? stratumHost(p.url) : '',
        'Has GBT': false,
        'Best Share': Math.floor(c.bestShare),
        'Pool Rejected%': rejectedPct,
        'Pool Stale%': stalePct,
      };
    }
    const rest: Fields = {
      Works: c.accepted,
      Discarded: 0,
      Stale: c.stale,
      'Get Failures': 0,
      'Remote Failures': 0,
      User: p.user,
      'Last Share Time': lastShare,
      'Diff1 Shares': Math.round(c.difficultyAccepted),
      'Proxy Type': '',
      Proxy: '',
      'Difficulty Accepted': c.difficultyAccepted,
      'Difficulty Rejected': c.difficultyRejected,
      'Difficulty Stale': c.difficultyStale,
      'Last Share Difficulty': c.lastShareDifficulty,
      'Work Difficulty': diff,
      'Has Stratum': true,
      'Stratum Active': isActive,
      'Stratum URL': stratumHost(p.url),
      'Stratum Difficulty': diff,
      'Has GBT': false,
      'Best Share': Math.floor(c.bestShare),
      'Pool Rejected%': rejectedPct,
      'Pool Stale%': stalePct,
      'Bad Work': 0,
      'Current Block Height': 0,
      'Current Block Version': 536870912,
    };
    if (dialect === 'avalon') return { ...common, ...rest, 'Has Vmask': true };
    if (dialect === 'bosminer') return { ...common, ...rest, AsicBoost: true, 'Has Vmask': true };
    return { ...common, ...rest };
  });
}
