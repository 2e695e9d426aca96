import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync, symlinkSync } from 'node:fs';
import { DIFF1_TARGET, difficultyToTarget, hashMeetsTarget, targetToBytes } from '@farmhand/core/bitcoin';
import {
  ICARUS_WORK_BYTES,
  counterReply,
  decodeIcarusWork,
  icarusHash,
  type IcarusWork,
} from '../serial/icarus-work.js';

// A simulated Icarus-protocol USB miner on a pseudo-terminal. Node has no pty API, so a small python3
// helper opens the pty pair and relays bytes between its master side and our stdin/stdout; the device
// itself (work items in, a real nonce search, nonces out) runs here. Unplugging kills the helper, which
// closes the master: the host sees its port fail, as with a pulled USB cable. docs/serial-miners.md.

const PTY_RELAY = `
import os, pty, select, sys, tty
m, s = pty.openpty()
tty.setraw(s)
sys.stderr.write(os.ttyname(s) + "\\n")
sys.stderr.flush()
i, o = sys.stdin.fileno(), sys.stdout.fileno()
while True:
    r, _, _ = select.select([m, i], [], [])
    if m in r:
        d = os.read(m, 4096)
        if d:
            os.write(o, d)
    if i in r:
        d = os.read(i, 4096)
        if not d:
            break
        os.write(m, d)
`;

export interface IcarusDeviceOptions {
  /** Nonce counts searched per second (a real Block Erupter does ~333 M; tests a few tens of thousands). */
  readonly hashrate: number;
  /**
   * The difficulty of the nonces the device reports. Real devices report difficulty-1 nonces; the
   * simulator takes a tiny one so tests see shares in seconds.
   */
  readonly difficulty: number;
  /** A stable path (symlink) to the pty, re-pointed on replug as udev keeps /dev/ttyUSB0. */
  readonly linkPath?: string;
}

export interface IcarusDeviceStats {
  workItems: number;
  nonces: number;
  garbageBytes: number;
  wrongNonces: number;
}

export class SimulatedIcarus {
  readonly stats: IcarusDeviceStats = { workItems: 0, nonces: 0, garbageBytes: 0, wrongNonces: 0 };
  /** The pts path of the current plug-in. */
  ptyPath = '';
  silent = false;
  private relay: ChildProcess | null = null;
  private rx = Buffer.alloc(0);
  private work: IcarusWork | null = null;
  private counter = 0;
  private timer: NodeJS.Timeout | null = null;
  private lastTick = 0;
  private readonly target: Uint8Array;
  private readonly diff1 = targetToBytes(DIFF1_TARGET);

  private constructor(readonly options: IcarusDeviceOptions) {
    this.target = targetToBytes(difficultyToTarget(options.difficulty));
  }

  static async start(options: IcarusDeviceOptions): Promise<SimulatedIcarus> {
    const d = new SimulatedIcarus(options);
    await d.plug();
    return d;
  }

  /** The path a host opens: the stable link when there is one, else the pty. */
  get path(): string {
    return this.options.linkPath ?? this.ptyPath;
  }

  get plugged(): boolean {
    return this.relay !== null;
  }

  /** Plugs the device in (again): a new pty, the link re-pointed to it. */
  async plug(): Promise<void> {
    if (this.relay) return;
    const child = spawn('python3', ['-u', '-c', PTY_RELAY], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.relay = child;
    this.ptyPath = await new Promise<string>((resolve, reject) => {
      let err = '';
      const onData = (b: Buffer) => {
        err += b.toString();
        const nl = err.indexOf('\n');
        if (nl >= 0) {
          child.stderr!.off('data', onData);
          resolve(err.slice(0, nl).trim());
        }
      };
      child.stderr!.on('data', onData);
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`pty helper exited (${code ?? 'signal'}): ${err}`)));
    });
    child.removeAllListeners('exit');
    child.once('exit', () => {
      if (this.relay === child) this.onUnplugged();
    });
    child.stdout!.on('data', (b: Buffer) => this.onHostBytes(b));
    child.stdin!.on('error', () => {}); // the helper going away is reported by 'exit'
    if (this.options.linkPath) {
      rmSync(this.options.linkPath, { force: true });
      symlinkSync(this.ptyPath, this.options.linkPath);
    }
  }

  /** Pulls the cable: the pty goes away; the stable link stays dangling as a device node would vanish. */
  async unplug(): Promise<void> {
    const child = this.relay;
    if (!child) return;
    this.onUnplugged();
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    if (this.options.linkPath) rmSync(this.options.linkPath, { force: true });
  }

  /** Line noise: bytes that are no nonce. */
  sendGarbage(bytes = 7): void {
    this.stats.garbageBytes += bytes;
    this.write(randomBytes(bytes));
  }

  /** A nonce that does not hash to the device's target for the current work (a bad chip). */
  sendWrongNonce(): void {
    const work = this.work;
    if (!work) return;
    let c = (Math.random() * 2 ** 32) >>> 0;
    while (hashMeetsTarget(icarusHash(work, c), this.target)) c = (c + 1) >>> 0;
    this.stats.wrongNonces++;
    this.write(counterReply(c));
  }

  async stop(): Promise<void> {
    await this.unplug();
  }

  private onUnplugged(): void {
    this.relay = null;
    this.stopSearch();
    this.rx = Buffer.alloc(0);
    this.work = null;
  }

  private write(bytes: Uint8Array): void {
    this.relay?.stdin?.write(bytes);
  }

  private onHostBytes(chunk: Buffer): void {
    this.rx = Buffer.concat([this.rx, chunk]);
    // A new item replaces the one in progress, as on the real device.
    while (this.rx.length >= ICARUS_WORK_BYTES) {
      const item = this.rx.subarray(0, ICARUS_WORK_BYTES);
      this.rx = this.rx.subarray(ICARUS_WORK_BYTES);
      this.work = decodeIcarusWork(new Uint8Array(item));
      this.counter = 0;
      this.stats.workItems++;
      this.startSearch();
    }
  }

  private startSearch(): void {
    this.lastTick = performance.now();
    if (this.timer) return;
    this.timer = setInterval(() => this.tick(), 10);
  }

  private stopSearch(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Searches the counts this much time allows; stops at the first hit or the end of the range. */
  private tick(): void {
    const now = performance.now();
    const budget = Math.max(1, Math.round(((now - this.lastTick) / 1000) * this.options.hashrate));
    this.lastTick = now;
    const work = this.work;
    if (!work) return this.stopSearch();
    for (let i = 0; i < budget; i++) {
      const c = this.counter;
      if (c > 0xffffffff) return this.stopSearch();
      this.counter++;
      const hash = icarusHash(work, c);
      if (hashMeetsTarget(hash, this.target) || hashMeetsTarget(hash, this.diff1)) {
        this.stopSearch();
        if (this.silent) return;
        this.stats.nonces++;
        this.write(counterReply(c));
        return;
      }
    }
  }
}

/** `farmhand sim --icarus N`: N devices, one line each with the path to hand to `farmhand agent --serial`. */
export async function startIcarusDevices(
  count: number,
  options: IcarusDeviceOptions,
  print: (line: string) => void,
): Promise<SimulatedIcarus[]> {
  const devices: SimulatedIcarus[] = [];
  for (let i = 0; i < count; i++) devices.push(await SimulatedIcarus.start(options));
  for (const [i, d] of devices.entries())
    print(
      `  icarus-${i}  ${d.path}  (${options.hashrate} H/s, nonces at difficulty ${options.difficulty}; agent: --serial ${d.path})`,
    );
  return devices;
}
