import { z } from 'zod';

// The agent config's `serial` section (docs/serial-miners.md): serial ports mined through the Icarus
// protocol, the USB inventory, and host miner programs supervised for libusb sticks.

const difficulty = z.number().positive().finite();
const usbId = z
  .string()
  .regex(/^[0-9a-fA-F]{4}:[0-9a-fA-F]{4}$/, 'expected a USB id as vvvv:pppp (hex)')
  .transform((s) => s.toLowerCase());

export const serialPortSchema = z
  .object({
    path: z.string().min(1),
    /** Worker part of the name; default: the port's file name (ttyUSB0) or the USB serial number. */
    name: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, - and _ only')
      .optional(),
    /** The difficulty every nonce of this device meets: 1 for real devices, tiny for the simulator. */
    difficulty: difficulty.default(1),
    /** Expected hashes per second until measured (a Block Erupter does about 333 MH/s). */
    hashrate: z.number().positive().default(333e6),
  })
  .strict();

export const hostMinerSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, - and _ only'),
    command: z.string().min(1),
    /**
     * Arguments; {url} {user} {difficulty} {apiPort} are filled in. Default: cgminer's
     * -o {url} -u {user} -p x --suggest-diff {difficulty} --api-listen --api-allow W:127.0.0.1 --api-port {apiPort}
     */
    args: z.array(z.string()).optional(),
    /** Run only while one of these USB ids is plugged in; empty: always. */
    usbIds: z.array(usbId).default([]),
    difficulty: difficulty.default(1),
    apiPort: z.number().int().min(1).max(65535).default(4028),
  })
  .strict();

export const serialConfigSchema = z
  .object({
    ports: z.array(serialPortSchema).default([]),
    /** Account part of serial workers' names (<account>.<port name or USB serial>). */
    account: z.string().min(1).default('serial'),
    baud: z.number().int().positive().default(115200),
    /** Longest work cycle in seconds (a fresh item at least this often). */
    maxWorkSeconds: z.number().positive().default(60),
    /** Work cycles in a row without a reply before the port is closed and reopened. */
    silentCycles: z.number().int().min(2).default(12),
    reopenMinMs: z.number().int().min(10).default(1000),
    reopenMaxMs: z.number().int().min(10).default(30_000),
    /** USB inventory re-check in seconds; 0 turns the inventory off. */
    inventorySeconds: z.number().min(0).default(10),
    /** Mine with Icarus-protocol devices the inventory recognises (firmware-profiles/usb-*.json). */
    autoIcarus: z.boolean().default(true),
    hostMiners: z.array(hostMinerSchema).default([]),
    /** How often a running host miner's API is read for its status, in seconds. */
    hostMinerPollSeconds: z.number().positive().default(15),
  })
  .strict()
  .prefault({});

export type SerialConfig = z.infer<typeof serialConfigSchema>;
export type SerialPortConfig = z.infer<typeof serialPortSchema>;
export type HostMinerConfig = z.infer<typeof hostMinerSchema>;
