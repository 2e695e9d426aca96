import { difficultyToTarget, hexToBytes, targetToBytes } from '@farmhand/core/bitcoin';
import type { ShareJob } from '@farmhand/core/share';
import { hex32, nextRolledVersion } from '@farmhand/core/stratum';

// Where a miner is in its work space: the extranonce2 counter and the rolled version, advanced
// once per share search, as firmware hands a fresh (extranonce2, version) to each batch of nonces.

export interface WorkUnit {
  readonly extranonce2Hex: string;
  readonly extranonce2: Uint8Array;
  /** Header version to hash. */
  readonly version: number;
  /** BIP310 version_bits for the submit (the rolled bits), when rolling. */
  readonly versionBits?: string;
  /** Share target, 32 little-endian bytes. */
  readonly target: Uint8Array;
}

export class WorkCursor {
  #en2 = 0;
  #version = 0;
  readonly #targets = new Map<number, Uint8Array>();

  /** A new job starts rolling from its own version. */
  newJob(job: ShareJob): void {
    this.#version = job.version;
  }

  next(job: ShareJob, extranonce2Size: number, versionMask: number, difficulty: number): WorkUnit {
    const digits = extranonce2Size * 2;
    const en2 = (this.#en2++ % 2 ** Math.min(48, 8 * extranonce2Size))
      .toString(16)
      .padStart(digits, '0')
      .slice(-digits);
    let version = job.version;
    if (versionMask !== 0) {
      this.#version = nextRolledVersion(this.#version, versionMask);
      version = this.#version;
    }
    return {
      extranonce2Hex: en2,
      extranonce2: hexToBytes(en2),
      version,
      ...(versionMask !== 0 ? { versionBits: hex32((version & versionMask) >>> 0) } : {}),
      target: this.#target(difficulty),
    };
  }

  #target(d: number): Uint8Array {
    let t = this.#targets.get(d);
    if (!t) {
      t = targetToBytes(difficultyToTarget(d));
      if (this.#targets.size > 16) this.#targets.clear();
      this.#targets.set(d, t);
    }
    return t;
  }
}
