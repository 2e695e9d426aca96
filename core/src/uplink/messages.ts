import { fail, ok, type Result } from '../result.js';
import { BodyReader, BodyWriter, utf8Length } from './body-io.js';
import { encodeFrame } from './frame.js';
import {
  SHARE_RECORD_FIXED_BYTES,
  SHARES_HEADER_BYTES,
  UPLINK_MAX_EXTRANONCE2_SIZE,
  UPLINK_MAX_EXTRANONCE_PREFIX,
  UPLINK_MAX_RECORDS_PER_BATCH,
  UplinkType,
  isShareRejectCode,
  type RejectedRecord,
  type UplinkMessage,
  type WireShare,
  type WorkerEventKind,
} from './message-types.js';

// Encode and decode uplink message bodies (layouts in docs/uplink.md). Encoding a value outside its
// field is a programmer error (RangeError); decoding never throws: a malformed body is a BAD_BODY.

export type MessageDecodeErrorCode = 'UNKNOWN_TYPE' | 'BAD_BODY';

const AGENT_ID = /^[A-Za-z0-9._-]{1,64}$/;
const EVENT_KINDS: readonly WorkerEventKind[] = ['authorize', 'connect', 'disconnect'];
const VERSION_FIELD_MASK = 0x1fffe000;

function check(cond: boolean, what: string): void {
  if (!cond) throw new RangeError(what);
}
const isU = (v: number, bits: number) => Number.isInteger(v) && v >= 0 && v <= 2 ** bits - 1;
const isDifficulty = (d: number) => Number.isFinite(d) && d > 0;

/** The frame type byte for a message. */
export function messageTypeByte(m: UplinkMessage): UplinkType {
  switch (m.type) {
    case 'hello':
      return UplinkType.Hello;
    case 'challenge':
      return UplinkType.Challenge;
    case 'auth':
      return UplinkType.Auth;
    case 'welcome':
      return UplinkType.Welcome;
    case 'job':
      return UplinkType.Job;
    case 'shares':
      return UplinkType.Shares;
    case 'ack':
      return UplinkType.Ack;
    case 'block':
      return UplinkType.Block;
    case 'event':
      return UplinkType.Event;
    case 'status':
      return UplinkType.Status;
    case 'ping':
      return UplinkType.Ping;
    case 'pong':
      return UplinkType.Pong;
    case 'error':
      return UplinkType.Error;
  }
}

/** Serializes a message body. */
export function encodeMessageBody(m: UplinkMessage): Uint8Array {
  const w = new BodyWriter();
  switch (m.type) {
    case 'hello':
      check(isU(m.protocolVersion, 16), 'protocol version must be a u16');
      check(AGENT_ID.test(m.agentId), `agent id must be 1..64 of [A-Za-z0-9._-], got ${m.agentId}`);
      check(utf8Length(m.software) <= 64, 'software must be at most 64 bytes');
      return w.u16(m.protocolVersion).str8(m.agentId).str8(m.software).finish();
    case 'challenge':
      check(m.nonce.length === 32, 'challenge nonce must be 32 bytes');
      return w.bytes(m.nonce).finish();
    case 'auth':
      check(m.proof.length === 32, 'auth proof must be 32 bytes');
      return w.bytes(m.proof).finish();
    case 'welcome':
      check(isU(m.sessionId, 32), 'session id must be a u32');
      check(m.extranoncePrefix.length <= UPLINK_MAX_EXTRANONCE_PREFIX, 'extranonce prefix too long');
      check(
        m.extranonce2Size >= 1 && m.extranonce2Size <= UPLINK_MAX_EXTRANONCE2_SIZE,
        'bad extranonce2 size',
      );
      check(
        isU(m.versionMask, 32) && (m.versionMask & ~VERSION_FIELD_MASK) === 0,
        'version mask must be within 0x1fffe000',
      );
      check(isDifficulty(m.difficulty), 'difficulty must be finite and > 0');
      return w
        .u32(m.sessionId)
        .u8(m.extranoncePrefix.length)
        .bytes(m.extranoncePrefix)
        .u8(m.extranonce2Size)
        .u32(m.versionMask)
        .f64(m.difficulty)
        .finish();
    case 'job':
      check(
        isU(m.jobId, 32) && isU(m.version, 32) && isU(m.nbits, 32) && isU(m.ntime, 32),
        'job u32 field out of range',
      );
      check(m.prevhash.length === 32, 'prevhash must be 32 bytes');
      check(isDifficulty(m.shareDifficulty), 'share difficulty must be finite and > 0');
      check(m.coinb1.length <= 0xffff && m.coinb2.length <= 0xffff, 'coinbase part too long');
      check(m.merkleBranch.length <= 32 && m.merkleBranch.every((h) => h.length === 32), 'bad merkle branch');
      w.u32(m.jobId)
        .u8(m.cleanJobs ? 1 : 0)
        .bytes(m.prevhash)
        .u32(m.version)
        .u32(m.nbits)
        .u32(m.ntime);
      w.f64(m.shareDifficulty).u16(m.coinb1.length).bytes(m.coinb1).u16(m.coinb2.length).bytes(m.coinb2);
      w.u8(m.merkleBranch.length);
      for (const h of m.merkleBranch) w.bytes(h);
      return w.finish();
    case 'shares':
      return encodeShares(w, m.extranonce2Size, m.records);
    case 'ack':
      check(isU(m.sharesFrameSeq, 32) && isU(m.count, 16), 'ack field out of range');
      check(m.rejected.length <= m.count, 'more rejected records than records');
      w.u32(m.sharesFrameSeq).u16(m.count).u16(m.rejected.length);
      for (const r of m.rejected) {
        check(r.index < m.count && isU(r.index, 16) && isShareRejectCode(r.code), 'bad rejected record');
        w.u16(r.index).u8(r.code);
      }
      return w.finish();
    case 'block':
      check(isU(m.seq, 53) && isU(m.jobId, 32) && isU(m.worker, 16), 'block field out of range');
      check(m.header.length === 80, 'block header must be 80 bytes');
      return w
        .u64(m.seq)
        .u32(m.jobId)
        .u16(m.worker)
        .bytes(m.header)
        .u32(m.coinbase.length)
        .bytes(m.coinbase)
        .finish();
    case 'event':
      check(isU(m.worker, 16) && isU(m.at, 32), 'event field out of range');
      check(utf8Length(m.name) <= 255 && utf8Length(m.peer) <= 64, 'event name or peer too long');
      return w
        .u8(EVENT_KINDS.indexOf(m.kind) + 1)
        .u16(m.worker)
        .u32(m.at)
        .str8(m.name)
        .str8(m.peer)
        .finish();
    case 'status':
      check(isU(m.at, 32) && isU(m.miners, 32) && isU(m.bufferDepth, 32), 'status field out of range');
      check(Number.isFinite(m.hashrate) && m.hashrate >= 0, 'hashrate must be finite and >= 0');
      return w.u32(m.at).u32(m.miners).f64(m.hashrate).u32(m.bufferDepth).finish();
    case 'ping':
    case 'pong':
      check(isU(m.stamp, 53), 'stamp out of range');
      return w.u64(m.stamp).finish();
    case 'error':
      check(isU(m.code, 16) && utf8Length(m.message) <= 1024, 'error field out of range');
      return w.u16(m.code).str16(m.message).finish();
  }
}

function encodeShares(w: BodyWriter, en2Size: number, records: readonly WireShare[]): Uint8Array {
  check(en2Size >= 1 && en2Size <= UPLINK_MAX_EXTRANONCE2_SIZE, 'bad extranonce2 size');
  check(
    records.length >= 1 && records.length <= UPLINK_MAX_RECORDS_PER_BATCH,
    'a batch holds 1..4096 records',
  );
  let base = records[0]!.seq;
  for (const r of records) if (r.seq < base) base = r.seq;
  check(isU(base, 53), 'seq out of range');
  w.u64(base).u16(records.length).u8(en2Size);
  for (const r of records) {
    check(r.seq - base <= 0xffff, `seq ${r.seq} is more than 65535 after the batch base ${base}`);
    check(r.extranonce2.length === en2Size, `extranonce2 must be ${en2Size} bytes`);
    check(isU(r.jobId, 32) && isU(r.worker, 16) && isU(r.ntimeDelta, 16), 'share field out of range');
    check(isU(r.nonce, 32) && isU(r.versionBits, 16), 'share field out of range');
    w.u16(r.seq - base)
      .u32(r.jobId)
      .u16(r.worker)
      .bytes(r.extranonce2)
      .u16(r.ntimeDelta)
      .u32(r.nonce)
      .u16(r.versionBits);
  }
  return w.finish();
}

/** Serializes a message as a complete frame. */
export function encodeMessageFrame(m: UplinkMessage, seq: number, flags = 0): Uint8Array {
  return encodeFrame({ type: messageTypeByte(m), flags, seq, body: encodeMessageBody(m) });
}

/** Parses a frame's body by its type. */
export function decodeMessage(type: number, body: Uint8Array): Result<UplinkMessage, MessageDecodeErrorCode> {
  const r = new BodyReader(body);
  const m = decodeBody(type, r);
  if (m === undefined)
    return fail('UNKNOWN_TYPE', `unknown uplink message type 0x${type.toString(16).padStart(2, '0')}`);
  if (!r.error) r.end(m.type.toUpperCase());
  if (r.error) return fail('BAD_BODY', `malformed ${m.type.toUpperCase()} body: ${r.error}`);
  return ok(m);
}

function decodeBody(type: number, r: BodyReader): UplinkMessage | undefined {
  switch (type) {
    case UplinkType.Hello: {
      const protocolVersion = r.u16('protocol version');
      const agentId = r.str8('agent id');
      const software = r.str8('software');
      if (!r.error && !AGENT_ID.test(agentId)) r.fail('agent id must be 1..64 of [A-Za-z0-9._-]');
      if (!r.error && software.length > 64) r.fail('software is longer than 64 bytes');
      return { type: 'hello', protocolVersion, agentId, software };
    }
    case UplinkType.Challenge:
      return { type: 'challenge', nonce: r.bytes(32, 'nonce') };
    case UplinkType.Auth:
      return { type: 'auth', proof: r.bytes(32, 'proof') };
    case UplinkType.Welcome: {
      const sessionId = r.u32('session id');
      const prefixLength = r.u8('prefix length');
      if (prefixLength > UPLINK_MAX_EXTRANONCE_PREFIX)
        r.fail(`extranonce prefix of ${prefixLength} bytes exceeds 16`);
      const extranoncePrefix = r.bytes(prefixLength, 'extranonce prefix');
      const extranonce2Size = r.u8('extranonce2 size');
      if (!r.error && (extranonce2Size < 1 || extranonce2Size > UPLINK_MAX_EXTRANONCE2_SIZE))
        r.fail(`extranonce2 size ${extranonce2Size} is outside 1..16`);
      const versionMask = r.u32('version mask');
      if (!r.error && (versionMask & ~VERSION_FIELD_MASK) !== 0)
        r.fail('version mask has bits outside 0x1fffe000');
      const difficulty = r.f64('difficulty');
      if (!r.error && !isDifficulty(difficulty)) r.fail(`difficulty ${difficulty} is not a positive number`);
      return { type: 'welcome', sessionId, extranoncePrefix, extranonce2Size, versionMask, difficulty };
    }
    case UplinkType.Job: {
      const jobId = r.u32('job id');
      const flags = r.u8('flags');
      if (!r.error && flags > 1) r.fail(`job flags 0x${flags.toString(16)} has unknown bits`);
      const prevhash = r.bytes(32, 'prevhash');
      const version = r.u32('version');
      const nbits = r.u32('nbits');
      const ntime = r.u32('ntime');
      const shareDifficulty = r.f64('share difficulty');
      if (!r.error && !isDifficulty(shareDifficulty))
        r.fail(`share difficulty ${shareDifficulty} is not a positive number`);
      const coinb1 = r.bytes(r.u16('coinb1 length'), 'coinb1');
      const coinb2 = r.bytes(r.u16('coinb2 length'), 'coinb2');
      const n = r.u8('branch count');
      if (n > 32) r.fail(`merkle branch of ${n} hashes exceeds 32`);
      const merkleBranch: Uint8Array[] = [];
      for (let i = 0; i < n && !r.error; i++) merkleBranch.push(r.bytes(32, `branch hash ${i}`));
      return {
        type: 'job',
        jobId,
        cleanJobs: flags === 1,
        prevhash,
        version,
        nbits,
        ntime,
        shareDifficulty,
        coinb1,
        coinb2,
        merkleBranch,
      };
    }
    case UplinkType.Shares: {
      const base = r.u64('base seq');
      const count = r.u16('record count');
      const en2 = r.u8('extranonce2 size');
      if (!r.error && (count < 1 || count > UPLINK_MAX_RECORDS_PER_BATCH))
        r.fail(`record count ${count} is outside 1..4096`);
      if (!r.error && (en2 < 1 || en2 > UPLINK_MAX_EXTRANONCE2_SIZE))
        r.fail(`extranonce2 size ${en2} is outside 1..16`);
      const size = SHARE_RECORD_FIXED_BYTES + en2;
      if (!r.error && r.remaining !== count * size)
        r.fail(
          `${count} records of ${size} bytes need ${count * size} bytes after the ${SHARES_HEADER_BYTES}-byte header, got ${r.remaining}`,
        );
      const records: WireShare[] = [];
      for (let i = 0; i < count && !r.error; i++) {
        const seq = base + r.u16('seq delta');
        records.push({
          seq,
          jobId: r.u32('job id'),
          worker: r.u16('worker'),
          extranonce2: r.bytes(en2, 'extranonce2'),
          ntimeDelta: r.u16('ntime delta'),
          nonce: r.u32('nonce'),
          versionBits: r.u16('version bits'),
        });
      }
      return { type: 'shares', extranonce2Size: en2, records };
    }
    case UplinkType.Ack: {
      const sharesFrameSeq = r.u32('shares frame seq');
      const count = r.u16('record count');
      const n = r.u16('rejected count');
      if (!r.error && n > count) r.fail(`${n} rejected records in a batch of ${count}`);
      const rejected: RejectedRecord[] = [];
      for (let i = 0; i < n && !r.error; i++) {
        const index = r.u16('record index');
        const code = r.u8('reject code');
        if (r.error) break;
        if (index >= count) r.fail(`rejected record index ${index} is outside the batch of ${count}`);
        else if (!isShareRejectCode(code)) r.fail(`unknown reject code ${code}`);
        else rejected.push({ index, code });
      }
      return { type: 'ack', sharesFrameSeq, count, rejected };
    }
    case UplinkType.Block: {
      const seq = r.u64('seq');
      const jobId = r.u32('job id');
      const worker = r.u16('worker');
      const header = r.bytes(80, 'header');
      const length = r.u32('coinbase length');
      if (!r.error && length > r.remaining)
        r.fail(`coinbase length ${length} exceeds the ${r.remaining} bytes left`);
      return { type: 'block', seq, jobId, worker, header, coinbase: r.bytes(length, 'coinbase') };
    }
    case UplinkType.Event: {
      const k = r.u8('event kind');
      const kind = EVENT_KINDS[k - 1];
      if (!r.error && kind === undefined) r.fail(`unknown event kind ${k}`);
      const worker = r.u16('worker');
      const at = r.u32('time');
      const name = r.str8('name');
      const peer = r.str8('peer');
      if (!r.error && utf8Length(peer) > 64) r.fail('peer is longer than 64 bytes');
      return { type: 'event', kind: kind ?? 'connect', worker, at, name, peer };
    }
    case UplinkType.Status: {
      const at = r.u32('time');
      const miners = r.u32('miners');
      const hashrate = r.f64('hashrate');
      const bufferDepth = r.u32('buffer depth');
      if (!r.error && !(Number.isFinite(hashrate) && hashrate >= 0))
        r.fail(`hashrate ${hashrate} is not a number >= 0`);
      return { type: 'status', at, miners, hashrate, bufferDepth };
    }
    case UplinkType.Ping:
      return { type: 'ping', stamp: r.u64('stamp') };
    case UplinkType.Pong:
      return { type: 'pong', stamp: r.u64('stamp') };
    case UplinkType.Error: {
      const code = r.u16('code');
      const message = r.str16('message');
      if (!r.error && utf8Length(message) > 1024) r.fail('error message is longer than 1024 bytes');
      return { type: 'error', code, message };
    }
    default:
      return undefined;
  }
}

/** Size in bytes of one SHARES record for an extranonce2 size. */
export function shareRecordBytes(extranonce2Size: number): number {
  return SHARE_RECORD_FIXED_BYTES + extranonce2Size;
}
