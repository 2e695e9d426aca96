import { describe, expect, it } from 'vitest';
import { parseAgentConfig, withFlags } from '../../agent/src/config/index.js';

describe('agent config', () => {
  it('runs on defaults with no file at all', () => {
    const r = parseAgentConfig(undefined);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.stratum.port).toBe(3333);
    expect(r.value.control).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(r.value.stratum.minDifficulty).toBe(16);
    expect(r.value.upstreams).toEqual([]);
    expect(r.value.dataDir).toMatch(/farmhand$/);
  });

  it('flags override the file, fractional difficulties allowed', () => {
    const raw = { stratum: { port: 4000, startDifficulty: 64 }, upstreams: ['stratum+tcp://a@h:1'] };
    const r = parseAgentConfig(
      withFlags(raw, {
        stratumPort: 5000,
        minDifficulty: 0.001,
        startDifficulty: 0.01,
        upstream: ['farmhand+tcp://id:tok@g:1', 'stratum+tcp://u@p:2'],
        dataDir: 'd',
      }),
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.stratum.port).toBe(5000);
    expect(r.value.stratum.minDifficulty).toBe(0.001);
    expect(r.value.stratum.startDifficulty).toBe(0.01);
    expect(r.value.upstreams).toEqual(['farmhand+tcp://id:tok@g:1', 'stratum+tcp://u@p:2']);
    expect(r.value.dataDir).toBe('d');
  });

  it('names every wrong key with its path', () => {
    const r = parseAgentConfig({
      stratum: { port: 'x', minDifficulty: -1 },
      control: { token: 'short' },
      nonsense: 1,
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('CONFIG_INVALID');
    expect(r.error.message).toContain('config.stratum.port');
    expect(r.error.message).toContain('config.stratum.minDifficulty');
    expect(r.error.message).toContain('config.control.token: a control token must be at least 16 characters');
    expect(r.error.message).toMatch(/nonsense/);
  });

  it('min above max is refused', () => {
    const r = parseAgentConfig({ stratum: { minDifficulty: 100, maxDifficulty: 10 } });
    expect(!r.ok && r.error.message).toMatch(/minDifficulty must not exceed/);
  });
});
