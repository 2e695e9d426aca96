// The jobs this gateway hands out, shared by direct miners and agents: the jobmaster's job under a
// gateway job id (8 hex digits, so it also travels as an uplink u32), one NotifyLines per job, one
// ShareValidator for every session, and the extranonce space cut from the jobmaster's coinbase slot.
import { bitsToTarget, targetToBytes, targetToDifficulty } from '@farmhand/core/bitcoin';
import { fail, ok, type Result } from '@farmhand/core';
import { NotifyLines } from '@farmhand/core/session';
import { ShareValidator, prepareJob, type ShareJob } from '@farmhand/core/share';
import { ExtranonceAllocator, hex32, type StratumJob } from '@farmhand/core/stratum';
import type { JobMessage as JmJob } from '../jobmaster/wire.js';

export interface GatewayJob {
  /** Gateway job id: 8 lowercase hex digits. */
  readonly id: string;
  readonly stratum: StratumJob;
  readonly notify: NotifyLines;
  readonly share: ShareJob;
  /** The jobmaster's message (its own job id, extranonce size, height). */
  readonly source: JmJob;
  readonly networkDifficulty: number;
  /** Merged mining: the easiest aux target, 32 little-endian bytes (as hashes compare); absent without aux. */
  readonly auxTarget?: Uint8Array;
}

export interface WorkSpace {
  readonly allocator: ExtranonceAllocator;
  /** extranonce1 bytes (prefix + counter) of every session. */
  readonly extranonce1Size: number;
  /** Bytes left to miners (and to agents, who split them further). */
  readonly extranonce2Size: number;
  /** The jobmaster's extranonce size this space was cut from. */
  readonly total: number;
}

export type WorkErrorCode = 'BAD_JOB' | 'EXTRANONCE_SIZE';

/** Jobs remembered for late shares and found blocks (the validator keeps its own live set). */
const JOB_HISTORY = 64;
/** The least extranonce2 a miner is given. */
const MIN_EXTRANONCE2 = 4;

export class WorkBook {
  readonly validator = new ShareValidator();
  readonly #jobs = new Map<string, GatewayJob>();
  #counter: number;
  #current: GatewayJob | undefined;
  #space: WorkSpace | undefined;

  constructor(
    readonly extranoncePrefix: string,
    readonly counterBytes: number,
    firstCounter = Math.floor(Math.random() * 0x10000),
  ) {
    this.#counter = firstCounter;
  }

  get current(): GatewayJob | undefined {
    return this.#current;
  }

  get space(): WorkSpace | undefined {
    return this.#space;
  }

  get(id: string): GatewayJob | undefined {
    return this.#jobs.get(id);
  }

  /** Takes a jobmaster job; `clean` forces clean_jobs (first job after a jobmaster reconnect). */
  add(source: JmJob, clean: boolean): Result<GatewayJob, WorkErrorCode> {
    const space = this.#spaceFor(source.extranonceSize);
    if (!space.ok) return space;
    this.#counter = (this.#counter + 1) >>> 0;
    const id = hex32(this.#counter);
    const stratum: StratumJob = { ...source.job, jobId: id, cleanJobs: source.job.cleanJobs || clean };
    const share = prepareJob(stratum);
    if (!share.ok) return share;
    const job: GatewayJob = {
      id,
      stratum,
      notify: new NotifyLines(stratum),
      share: share.value,
      source,
      networkDifficulty: targetToDifficulty(bitsToTarget(share.value.bits)),
      ...(source.auxTarget ? { auxTarget: targetToBytes(BigInt('0x' + source.auxTarget)) } : {}),
    };
    this.validator.addJob(share.value);
    this.#jobs.set(id, job);
    while (this.#jobs.size > JOB_HISTORY) this.#jobs.delete(this.#jobs.keys().next().value!);
    this.#current = job;
    return ok(job);
  }

  #spaceFor(total: number): Result<WorkSpace, WorkErrorCode> {
    if (this.#space) {
      if (this.#space.total === total) return ok(this.#space);
      return fail(
        'EXTRANONCE_SIZE',
        `the jobmaster's extranonce size changed from ${this.#space.total} to ${total}; restart the gateway to re-cut its space`,
      );
    }
    const allocator = new ExtranonceAllocator({
      counterBytes: this.counterBytes,
      prefix: this.extranoncePrefix,
    });
    const extranonce2Size = total - allocator.size;
    if (extranonce2Size < MIN_EXTRANONCE2) {
      return fail(
        'EXTRANONCE_SIZE',
        `the jobmaster's extranonce of ${total} bytes leaves ${extranonce2Size} after this gateway's ${allocator.size}-byte extranonce1; need ${MIN_EXTRANONCE2}`,
      );
    }
    this.#space = { allocator, extranonce1Size: allocator.size, extranonce2Size, total };
    return ok(this.#space);
  }
}
