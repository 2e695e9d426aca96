import { describe, expect, it } from 'vitest';
import {
  formatNotifyMessage,
  notifyAssignments,
  parseWatchdogSettings,
  ServiceNotifier,
  STATUS_MAX_CHARS,
} from '@farmhand/core/service';

describe('sd_notify messages', () => {
  it('formats assignments in a stable order', () => {
    expect(formatNotifyMessage({ status: 'serving', ready: true })).toBe('READY=1\nSTATUS=serving');
    expect(formatNotifyMessage({ watchdog: true })).toBe('WATCHDOG=1');
    expect(notifyAssignments({ stopping: true, status: 'bye' })).toEqual(['STOPPING=1', 'STATUS=bye']);
    expect(notifyAssignments({})).toEqual([]);
  });

  it('flattens a status to one bounded line so it cannot inject assignments', () => {
    expect(formatNotifyMessage({ status: 'a\nREADY=1\r\nb' })).toBe('STATUS=a READY=1 b');
    const long = notifyAssignments({ status: 'x'.repeat(1000) })[0] ?? '';
    expect(long.length).toBe('STATUS='.length + STATUS_MAX_CHARS);
  });
});

describe('WATCHDOG_USEC', () => {
  it('keeps alive at half the timeout', () => {
    const r = parseWatchdogSettings({ WATCHDOG_USEC: '30000000' }, 42);
    expect(r).toEqual({ ok: true, value: { timeoutMs: 30000, keepAliveMs: 15000 } });
  });

  it('has no watchdog when unset, zero, or meant for another pid', () => {
    expect(parseWatchdogSettings({}, 42)).toEqual({ ok: true, value: null });
    expect(parseWatchdogSettings({ WATCHDOG_USEC: '0' }, 42)).toEqual({ ok: true, value: null });
    expect(parseWatchdogSettings({ WATCHDOG_USEC: '1000000', WATCHDOG_PID: '7' }, 42)).toEqual({
      ok: true,
      value: null,
    });
    const mine = parseWatchdogSettings({ WATCHDOG_USEC: '1000000', WATCHDOG_PID: '42' }, 42);
    expect(mine.ok && mine.value?.keepAliveMs).toBe(500);
  });

  it('rejects garbage with a code', () => {
    const r = parseWatchdogSettings({ WATCHDOG_USEC: '30s' }, 1);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('WATCHDOG_USEC_INVALID');
    const p = parseWatchdogSettings({ WATCHDOG_USEC: '5', WATCHDOG_PID: 'me' }, 1);
    expect(!p.ok && p.error.code).toBe('WATCHDOG_PID_INVALID');
  });

  it('never asks for a zero interval', () => {
    const r = parseWatchdogSettings({ WATCHDOG_USEC: '1' }, 1);
    expect(r.ok && r.value?.keepAliveMs).toBe(1);
  });
});

describe('ServiceNotifier', () => {
  it('sends nothing and starts no timer without a socket', () => {
    const n = new ServiceNotifier({ send: null, watchdog: { timeoutMs: 10, keepAliveMs: 5 } });
    n.ready('up');
    expect(n.enabled).toBe(false);
    expect(n.startWatchdog()).toBe(false);
    expect(n.sent).toBe(0);
  });

  it('sends READY with the first keep-alive, then STOPPING and no more keep-alives', async () => {
    const got: string[][] = [];
    const n = new ServiceNotifier({
      send: (a) => got.push([...a]),
      watchdog: { timeoutMs: 40, keepAliveMs: 20 },
    });
    n.ready('serving');
    expect(got.slice(0, 2)).toEqual([['READY=1', 'STATUS=serving'], ['WATCHDOG=1']]);
    await waitFor(() => got.length >= 4);
    n.stopping('stopping');
    const count = got.length;
    expect(got[count - 1]).toEqual(['STOPPING=1', 'STATUS=stopping']);
    // A later tick of the old timer would add messages; several periods pass without one.
    await new Promise((r) => setTimeout(r, 100));
    expect(got.length).toBe(count);
  });
});

async function waitFor(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(cond()).toBe(true);
}
