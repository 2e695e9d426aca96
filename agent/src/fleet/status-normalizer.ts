// Picks the normalizer a profile names and runs it over the replies collected for one miner.
import type { FirmwareProfile } from './firmware-profile.js';
import type { ReplySet, StatusReading } from './miner-status.js';
import { antminerStatus } from './status-antminer.js';
import { avalonStatus } from './status-avalon.js';
import { axeosStatus } from './status-axeos.js';
import { braiinsStatus } from './status-braiins.js';
import { whatsminerStatus } from './status-whatsminer.js';

const NORMALIZERS: Record<FirmwareProfile['status']['normalizer'], (r: ReplySet) => StatusReading> = {
  antminer: antminerStatus,
  luxos: antminerStatus, // LUXminer keeps the Antminer stats layout; `power` adds watts
  whatsminer: whatsminerStatus,
  braiins: braiinsStatus,
  avalon: avalonStatus,
  axeos: axeosStatus,
};

export function normalizeStatus(
  normalizer: FirmwareProfile['status']['normalizer'],
  replies: ReplySet,
): StatusReading {
  return NORMALIZERS[normalizer](replies);
}
