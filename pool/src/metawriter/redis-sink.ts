// Where a write plan meets Redis. Standalone: one Lua script per write checks the batch markers and
// applies every command atomically (a replayed batch is refused as a whole, a half-applied batch cannot
// exist). Cluster: keys live in different slots, so there is no atomic multi-key write; commands go out
// one by one (pipelined per node by ioredis), each remembered once confirmed, and the batch markers are
// set last. The trade-off is documented in docs/redis-format.md.
import { fail, ok, type Result } from '@farmhand/core';
import type { Cluster, Redis } from 'ioredis';
import { ReplyError } from 'ioredis';
import type { RedisOp } from './write-plan.js';

export interface WriteAttempt {
  /** Marker keys, one per batch, in batch order. */
  readonly markers: readonly string[];
  readonly ops: readonly RedisOp[];
  /** Indexes of ops already confirmed (cluster mode resumes from here after an error). */
  readonly done: Set<number>;
}

export interface ApplyOutcome {
  /** Indexes into `markers` of batches Redis had already applied; nothing was written when non-empty. */
  readonly duplicates: readonly number[];
  /** Commands Redis refused (e.g. a key of the wrong type); the rest of the write went through. */
  readonly refused: readonly string[];
}

export type SinkCode = 'REDIS_UNAVAILABLE';

export interface StatsSink {
  apply(attempt: WriteAttempt, markerTtlSeconds: number): Promise<Result<ApplyOutcome, SinkCode>>;
}

const OPCODE: Record<RedisOp['op'], string> = { hincrby: 'i', hincrbyfloat: 'f', sadd: 's', rpush: 'r' };

// KEYS = markers then data keys; ARGV = marker count, marker ttl, then (opcode, key index, a, b)*.
// pcall: a refused command must not abort the rest (Redis does not roll a script back).
const APPLY_SCRIPT = `
local n = tonumber(ARGV[1])
local dup = {}
for i = 1, n do
  if redis.call('EXISTS', KEYS[i]) == 1 then dup[#dup + 1] = i - 1 end
end
if #dup > 0 then return {'dup', dup} end
for i = 1, n do redis.call('SET', KEYS[i], '1', 'EX', ARGV[2]) end
local refused = {}
for j = 3, #ARGV, 4 do
  local op, k = ARGV[j], KEYS[tonumber(ARGV[j + 1])]
  local r
  if op == 'i' then r = redis.pcall('HINCRBY', k, ARGV[j + 2], ARGV[j + 3])
  elseif op == 'f' then r = redis.pcall('HINCRBYFLOAT', k, ARGV[j + 2], ARGV[j + 3])
  elseif op == 's' then r = redis.pcall('SADD', k, ARGV[j + 2])
  else r = redis.pcall('RPUSH', k, ARGV[j + 2]) end
  if type(r) == 'table' and r.err then refused[#refused + 1] = op .. ' ' .. k .. ': ' .. r.err end
end
return {'ok', refused}
`;

type ScriptReply = ['dup', number[]] | ['ok', string[]];

interface WithApplyScript {
  farmhandApplyStats(...args: (string | number)[]): Promise<ScriptReply>;
}

function opArgs(op: RedisOp): [string, string] {
  switch (op.op) {
    case 'hincrby':
    case 'hincrbyfloat':
      return [op.field, op.value];
    case 'sadd':
      return [op.member, ''];
    case 'rpush':
      return [op.value, ''];
  }
}

function unavailable(e: unknown): {
  readonly ok: false;
  readonly error: { code: SinkCode; message: string };
} {
  return fail('REDIS_UNAVAILABLE', `redis write failed: ${(e as Error).message}`);
}

export class StandaloneSink implements StatsSink {
  private readonly redis: Redis & WithApplyScript;

  constructor(redis: Redis) {
    redis.defineCommand('farmhandApplyStats', { lua: APPLY_SCRIPT });
    this.redis = redis as Redis & WithApplyScript;
  }

  async apply(attempt: WriteAttempt, ttl: number): Promise<Result<ApplyOutcome, SinkCode>> {
    const keys = [...attempt.markers];
    const index = new Map<string, number>();
    const args: (string | number)[] = [attempt.markers.length, ttl];
    for (const op of attempt.ops) {
      let i = index.get(op.key);
      if (i === undefined) {
        keys.push(op.key);
        i = keys.length; // Lua indexes from 1
        index.set(op.key, i);
      }
      args.push(OPCODE[op.op], i, ...opArgs(op));
    }
    try {
      const reply = await this.redis.farmhandApplyStats(keys.length, ...keys, ...args);
      if (reply[0] === 'dup') return ok({ duplicates: reply[1], refused: [] });
      return ok({ duplicates: [], refused: reply[1] });
    } catch (e) {
      return unavailable(e);
    }
  }
}

export class ClusterSink implements StatsSink {
  constructor(private readonly cluster: Cluster) {}

  async apply(attempt: WriteAttempt, ttl: number): Promise<Result<ApplyOutcome, SinkCode>> {
    const c = this.cluster;
    try {
      if (attempt.done.size === 0) {
        const seen = await Promise.all(attempt.markers.map((m) => c.exists(m)));
        const duplicates = seen.flatMap((n, i) => (n === 1 ? [i] : []));
        if (duplicates.length > 0) return ok({ duplicates, refused: [] });
      }
      const refused: string[] = [];
      const results = await Promise.allSettled(
        attempt.ops.map(async (op, i) => {
          if (attempt.done.has(i)) return;
          try {
            await send(c, op);
          } catch (e) {
            if (!(e instanceof ReplyError)) throw e;
            refused.push(`${op.op} ${op.key}: ${(e as Error).message}`);
          }
          attempt.done.add(i);
        }),
      );
      const failed = results.find((r) => r.status === 'rejected');
      if (failed) return unavailable((failed as PromiseRejectedResult).reason);
      await Promise.all(attempt.markers.map((m) => c.set(m, '1', 'EX', ttl)));
      return ok({ duplicates: [], refused });
    } catch (e) {
      return unavailable(e);
    }
  }
}

async function send(c: Cluster, op: RedisOp): Promise<unknown> {
  switch (op.op) {
    case 'hincrby':
      return c.hincrby(op.key, op.field, op.value);
    case 'hincrbyfloat':
      return c.hincrbyfloat(op.key, op.field, op.value);
    case 'sadd':
      return c.sadd(op.key, op.member);
    case 'rpush':
      return c.rpush(op.key, op.value);
  }
}
