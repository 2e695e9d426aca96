import { describe, expect, it } from 'vitest';
import {
  parseCgminerReply,
  type CgminerReply,
  type JsonObject,
} from '../../../agent/src/fleet/cgminer-reply.js';
import { readFixture } from '../../support/fixtures.js';

function okReply(raw: string | Uint8Array): CgminerReply {
  const r = parseCgminerReply(raw);
  if (!r.ok) throw new Error(`expected a reply, got ${r.error.code}: ${r.error.message}`);
  return r.value;
}

function data(raw: string | Uint8Array): JsonObject {
  const r = okReply(raw);
  if (r.form === 'plain') throw new Error('expected structured data');
  return r.data;
}

describe('parseCgminerReply: fixture quirks', () => {
  it('strips the NUL terminator a real socket sends', () => {
    const body = readFixture('asics/antminer-stock/foreman-s19-overheating-version.txt');
    const r = okReply(Buffer.concat([Buffer.from(body), Buffer.from([0])]));
    expect(r.form).toBe('json');
    expect(r.repairs).toContain('nul-stripped');
    expect(r.status?.code).toBe(22);
    expect((data(body + '\0').VERSION as JsonObject[])[0]?.Type).toBe('Antminer S19 Pro');
  });

  it('repairs `}{` between the STATS objects of old bmminer', () => {
    const r = okReply(readFixture('asics/antminer-stock/foreman-s9-bad-temps-stats.txt'));
    expect(r.repairs).toContain('missing-comma');
    const stats = (r as { data: JsonObject }).data.STATS as JsonObject[];
    expect(stats).toHaveLength(2);
    expect(stats[0]?.Type).toBe('Antminer S9\nV1.3.58');
    expect(stats[1]?.['GHS 5s']).toBe('13883.81');
    expect(stats[1]?.temp2_7).toBe(-83);
  });

  it('turns `"key" : ,` into null and keeps the rest of get_miner_conf', () => {
    const d = data(readFixture('asics/antminer-stock/foreman-s19-pro-new-get-miner-conf.txt'));
    expect(d['bitmain-fan-ctrl']).toBeNull();
    expect(d['bitmain-use-vil']).toBe(true);
    expect(d.pools).toHaveLength(3);
  });

  it('the missing-fan-ctrl variant of get_miner_conf reads too, pools intact', () => {
    const r = okReply(
      readFixture('asics/antminer-stock/foreman-s19-pro-missing-fan-ctrl-get-miner-conf.txt'),
    );
    expect(r.repairs).toContain('missing-value');
    const d = (r as { data: JsonObject }).data;
    expect(d['bitmain-fan-ctrl']).toBeNull();
    expect(Array.isArray(d.pools)).toBe(true);
  });

  it('accepts a body that starts with blank lines', () => {
    const r = okReply(readFixture('asics/antminer-stock/foreman-s19-powermode-get-miner-conf.txt'));
    expect(r.repairs).toContain('leading-blank-lines');
    expect(((r as { data: JsonObject }).data.pools as JsonObject[])[0]?.url).toBe('aaa:700');
  });

  it('reads plain-text replies', () => {
    const okText = okReply(readFixture('asics/antminer-stock/foreman-l3-set-miner-conf.txt'));
    expect(okText).toMatchObject({ form: 'plain', text: 'ok' });
    expect(
      okReply(readFixture('asics/avalon/foreman-1047-ascset-setpool-with-index-reply.txt')),
    ).toMatchObject({ form: 'plain', text: 'failed' });
  });

  it('reads the Avalon ascset reply (cgminer text, multi-line Msg with commas)', () => {
    const r = okReply(readFixture('asics/avalon/foreman-1047-ascset-setpool-reply.txt'));
    expect(r.form).toBe('text');
    expect(r.status?.status).toBe('I');
    expect(r.status?.code).toBe(118);
    expect(r.status?.msg).toContain('pool success set to stratum+tcp://btc.ss.poolin.com:443');
    expect(r.status?.msg).toContain('Please reboot miner');
    expect(r.status?.description).toBe('cgminer 4.11.1');
  });

  it("reads cgminer's text format into the JSON shape", () => {
    const d = data(readFixture('asics/avalon/issue-pyasic312-mini3-version-text.txt'));
    const v = (d.VERSION as JsonObject[])[0];
    expect(v).toMatchObject({
      CGMiner: '4.11.1',
      PROD: 'Avalon Mini3',
      MODEL: 'Mini3',
      MAC: 'e0e1a93e2c7d',
      DNA: '020100008644e532',
    });
    expect((d.STATUS as JsonObject[])[0]).toMatchObject({ STATUS: 'S', Code: 22, When: 1742265580 });
    const dd = data(readFixture('asics/avalon/issue-pyasic312-mini3-devdetails-text.txt'));
    expect((dd.DEVDETAILS as JsonObject[])[0]).toMatchObject({
      DEVDETAILS: 0,
      Name: 'AVALON',
      Driver: 'avalon',
      Kernel: '',
    });
  });

  it('reads STATUS as a bare string (Whatsminer) and as an array', () => {
    const w = okReply(readFixture('asics/whatsminer/doc-bitlink-version-invalid-cmd.txt'));
    expect(w.status).toMatchObject({ status: 'E', code: 14, msg: 'invalid cmd' });
    const t = okReply(readFixture('asics/whatsminer/foreman-new-firmware-get-token.txt'));
    expect(t.status).toMatchObject({ status: 'S', code: 134 });
    const denied = okReply(readFixture('asics/hiveon/issue-pyasic243-s19jpro-hiveon-devdetails-denied.txt'));
    expect(denied.status).toMatchObject({
      status: 'E',
      code: 45,
      msg: "Access denied to 'devdetails' command",
    });
  });

  it('empty body is a typed error', () => {
    const r = parseCgminerReply(readFixture('asics/whatsminer/foreman-old-firmware-luci.txt'));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('EMPTY_REPLY');
  });
});

describe('parseCgminerReply: field quirks not in the files', () => {
  it('bare nan / inf / -inf become null', () => {
    const d = data('{"STATS":[{"temp":nan,"a":inf,"b":-inf,"c":NaN,"d":1.5}]}\0');
    expect((d.STATS as JsonObject[])[0]).toEqual({ temp: null, a: null, b: null, c: null, d: 1.5 });
  });

  it("drops the backslash of an invalid \\' escape", () => {
    const d = data(`{"STATUS":"S","Msg":{"Firmware Version":"\\'20220919.15.REL\\'"}}`);
    expect((d.Msg as JsonObject)['Firmware Version']).toBe("'20220919.15.REL'");
  });

  it('escapes raw newlines inside strings', () => {
    const d = data('{"Type":"Antminer S9\nV1.3.58","x":"a\tb"}');
    expect(d.Type).toBe('Antminer S9\nV1.3.58');
    expect(d.x).toBe('a\tb');
  });

  it('drops trailing commas and trailing junk', () => {
    const r = okReply('{"a":[1,2,],"b":{"c":1,},}garbage\0\0');
    expect((r as { data: JsonObject }).data).toEqual({ a: [1, 2], b: { c: 1 } });
    expect(r.repairs).toEqual(expect.arrayContaining(['trailing-comma', 'trailing-junk', 'nul-stripped']));
  });

  it('keeps the first object when junk follows the closing brace', () => {
    expect(data('{"STATUS":[{"STATUS":"S"}],"id":1}xyz{')).toEqual({ STATUS: [{ STATUS: 'S' }], id: 1 });
  });

  it('a truncated reply is TRUNCATED_REPLY, not a throw', () => {
    const r = parseCgminerReply('{"STATUS":[{"STATUS":"S","When":16');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('TRUNCATED_REPLY');
  });

  it('binary garbage is UNREADABLE_REPLY', () => {
    const r = parseCgminerReply(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0xff, 0xfe]));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('UNREADABLE_REPLY');
  });

  it('never throws on any prefix of a quirky file', () => {
    const body = readFixture('asics/antminer-stock/foreman-d3-stats.txt');
    for (let n = 0; n <= body.length; n += 7) {
      const r = parseCgminerReply(body.slice(0, n));
      expect(typeof r.ok).toBe('boolean');
    }
  });
});
