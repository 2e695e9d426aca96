// The cgminer-style TCP API (port 4028): one connection per command; the device answers and closes,
// usually ending with a NUL byte. Also carries Whatsminer's encrypted lines and btminer v3's
// length-prefixed frames (4-byte little-endian length, then JSON).
import { Socket } from 'node:net';
import { fail, ok, type Result } from '@farmhand/core';
import { parseCgminerReply, type CgminerReply, type ReplyErrorCode } from './cgminer-reply.js';

export type TransportErrorCode =
  | 'CONNECT_REFUSED'
  | 'CONNECT_FAILED'
  | 'CONNECT_TIMEOUT'
  | 'TIMEOUT'
  | 'REPLY_TOO_LARGE'
  | 'CONNECTION_RESET';
export type CgminerErrorCode = TransportErrorCode | ReplyErrorCode;

export interface Endpoint {
  readonly host: string;
  readonly port: number;
}

export interface ExchangeOptions {
  /** Whole exchange: connect, send, read. */
  readonly timeoutMs?: number;
  /** Replies above this are cut off as an error (a stats reply is ~10 KiB; 1 MiB is generous). */
  readonly maxBytes?: number;
}

export const DEFAULT_TIMEOUT_MS = 5000;
export const DEFAULT_MAX_BYTES = 1 << 20;

type Framing = 'nul-or-close' | 'length-prefixed';

/** Sends `payload` and collects the answer; never rejects. */
export function exchange(
  to: Endpoint,
  payload: Uint8Array | string,
  framing: Framing,
  opts: ExchangeOptions = {},
): Promise<Result<Buffer, TransportErrorCode>> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  return new Promise((resolve) => {
    const socket = new Socket();
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (r: Result<Buffer, TransportErrorCode>): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(r);
    };
    const complete = (): boolean => {
      if (framing === 'nul-or-close')
        return chunks.length > 0 && (chunks[chunks.length - 1] as Buffer).includes(0);
      const all = Buffer.concat(chunks);
      return all.length >= 4 && all.length >= 4 + all.readUInt32LE(0);
    };
    let connected = false;
    // No connection at all usually means no host at that address; a silent open port is a different case.
    const timer = setTimeout(() => {
      if (connected) finish(fail('TIMEOUT', `${to.host}:${to.port} did not answer within ${timeoutMs} ms`));
      else
        finish(
          fail('CONNECT_TIMEOUT', `${to.host}:${to.port} did not accept a connection within ${timeoutMs} ms`),
        );
    }, timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes)
        return finish(fail('REPLY_TOO_LARGE', `${to.host}:${to.port} sent more than ${maxBytes} bytes`));
      chunks.push(chunk);
      if (complete()) finish(ok(unframe(Buffer.concat(chunks), framing)));
    });
    socket.on('end', () => finish(ok(unframe(Buffer.concat(chunks), framing))));
    socket.on('close', () => finish(ok(unframe(Buffer.concat(chunks), framing))));
    socket.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ECONNREFUSED')
        return finish(fail('CONNECT_REFUSED', `${to.host}:${to.port} refused the connection`));
      if (e.code === 'ECONNRESET' || e.code === 'EPIPE') {
        return chunks.length > 0
          ? finish(ok(unframe(Buffer.concat(chunks), framing)))
          : finish(fail('CONNECTION_RESET', `${to.host}:${to.port} reset the connection`));
      }
      finish(fail('CONNECT_FAILED', `${to.host}:${to.port}: ${e.message}`));
    });
    socket.connect(to.port, to.host, () => {
      connected = true;
      if (framing === 'length-prefixed') {
        const body = Buffer.from(payload);
        const head = Buffer.alloc(4);
        head.writeUInt32LE(body.length, 0);
        socket.write(Buffer.concat([head, body]));
      } else {
        socket.write(payload);
      }
    });
  });
}

function unframe(all: Buffer, framing: Framing): Buffer {
  if (framing === 'length-prefixed' && all.length >= 4) return all.subarray(4, 4 + all.readUInt32LE(0));
  return all;
}

export interface CommandOptions extends ExchangeOptions {
  readonly parameter?: string;
  /** Plain-text form `command|parameter` (old Avalon ascset, cgminer text replies) instead of JSON. */
  readonly plain?: boolean;
  /** Whatsminer's own commands use `cmd` as the key. */
  readonly key?: 'command' | 'cmd';
}

/** One cgminer API command; the reply parsed tolerantly. */
export async function cgminerCommand(
  to: Endpoint,
  command: string,
  opts: CommandOptions = {},
): Promise<Result<CgminerReply, CgminerErrorCode>> {
  const payload = opts.plain
    ? opts.parameter === undefined
      ? command
      : `${command}|${opts.parameter}`
    : JSON.stringify({
        [opts.key ?? 'command']: command,
        ...(opts.parameter === undefined ? {} : { parameter: opts.parameter }),
      });
  return cgminerSend(to, payload, opts);
}

/** A preformatted request line (Whatsminer `{"enc":1,...}`). */
export async function cgminerSend(
  to: Endpoint,
  payload: string,
  opts: ExchangeOptions = {},
): Promise<Result<CgminerReply, CgminerErrorCode>> {
  const raw = await exchange(to, payload, 'nul-or-close', opts);
  if (!raw.ok) return raw;
  return parseCgminerReply(raw.value);
}

/** btminer API v3 on 4433: `{"cmd":..., "param":...}` in a length-prefixed frame. */
export async function whatsminerV3Command(
  to: Endpoint,
  cmd: string,
  param?: unknown,
  opts: ExchangeOptions = {},
): Promise<Result<CgminerReply, CgminerErrorCode>> {
  const raw = await exchange(
    to,
    JSON.stringify(param === undefined ? { cmd } : { cmd, param }),
    'length-prefixed',
    opts,
  );
  if (!raw.ok) return raw;
  return parseCgminerReply(raw.value);
}
