import { newPoolCounters, type PoolCounters } from './miner-stats.js';
import type { PoolConfig } from './pool-url.js';

// A miner's pool list as cgminer keeps it: the index is the POOL number and never moves for a pool;
// failover follows the priority field, which switchpool, addpool and removepool rewrite.

export interface PoolEntry extends PoolConfig {
  /** Writable: client.reconnect re-points the entry. */
  url: string;
  /** Failover order, 0 first; the index in `pools` (cgminer's POOL number) never changes for it. */
  priority: number;
  enabled: boolean;
  status: 'Alive' | 'Dead';
  counters: PoolCounters;
}

export function poolEntries(pools: readonly PoolConfig[]): PoolEntry[] {
  return pools.map((p, i) => ({
    ...p,
    priority: i,
    enabled: true,
    status: 'Dead',
    counters: newPoolCounters(),
  }));
}

/** Enabled pools with a URL, in failover order. */
export function failoverOrder(pools: readonly PoolEntry[]): number[] {
  const out: number[] = [];
  pools.forEach((p, i) => {
    if (p.enabled && p.url) out.push(i);
  });
  return out.sort((a, b) => pools[a]!.priority - pools[b]!.priority);
}

/** addpool: last in priority; returns the new POOL number. */
export function addPoolEntry(pools: PoolEntry[], p: PoolConfig): number {
  const priority = pools.reduce((mx, x) => Math.max(mx, x.priority + 1), 0);
  pools.push({ ...p, priority, enabled: true, status: 'Dead', counters: newPoolCounters() });
  return pools.length - 1;
}

/** switchpool: the pool goes to priority 0 (enabled), the ones ahead of it move down one. */
export function promotePool(pools: PoolEntry[], index: number): boolean {
  const p = pools[index];
  if (!p) return false;
  p.enabled = true;
  for (const x of pools) if (x !== p && x.priority < p.priority) x.priority++;
  p.priority = 0;
  return true;
}

/** removepool: later POOL numbers shift down, priorities close the gap. */
export function removePoolEntry(pools: PoolEntry[], index: number): boolean {
  const [gone] = pools.splice(index, 1);
  if (!gone) return false;
  for (const x of pools) if (x.priority > gone.priority) x.priority--;
  return true;
}
