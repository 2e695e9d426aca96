// Braiins OS (BOSminer / BOSer) cgminer API: `summary` in MH/s, per-board `devs`, `temps`, `fans`,
// chip counts from `devdetails`. TEMPS[].ID and DEVDETAILS[].ID match DEVS[].ID.
import { braiinsGraphqlStatus, BOS_GQL } from './status-braiins-graphql.js';
import { braiinsRestStatus, BOS_REST } from './status-braiins-rest.js';
import {
  cgminerPools,
  num,
  plausibleTemp,
  section,
  ths,
  type BoardStatus,
  type ReplySet,
  type StatusReading,
} from './miner-status.js';

export function braiinsStatus(replies: ReplySet): StatusReading {
  // BOS 25.07+ REST or BOS+ GraphQL replies, when that is what was read.
  if (replies.summary === undefined && replies[BOS_REST.stats] !== undefined)
    return braiinsRestStatus(replies);
  if (replies.summary === undefined && replies[BOS_GQL.system] !== undefined)
    return braiinsGraphqlStatus(replies);
  const s = section(replies.summary, 'SUMMARY')[0];
  const temps = section(replies.temps, 'TEMPS');
  const details = section(replies.devdetails, 'DEVDETAILS');
  const devs = section(replies.devs, 'DEVS');
  const ids =
    devs.length > 0
      ? devs.map((d) => num(d, 'ID'))
      : temps.length > 0
        ? temps.map((t) => num(t, 'ID'))
        : details.map((d) => num(d, 'ID'));
  const boards: BoardStatus[] = ids.map((id, i) => {
    const dev = devs.find((d) => num(d, 'ID') === id);
    const t = temps.find((x) => num(x, 'ID') === id);
    const det = details.find((x) => num(x, 'ID') === id);
    const rate = ths(num(dev, 'MHS 5s', 'MHS av'), 'MH');
    const temp = plausibleTemp(num(t, 'Chip')) ?? plausibleTemp(num(t, 'Board'));
    const chips = num(det, 'Chips');
    return {
      index: i,
      ...(rate !== null ? { hashrateThs: rate } : {}),
      ...(temp !== undefined ? { tempC: temp } : {}),
      ...(chips !== null ? { chips } : {}),
    };
  });
  const fans = section(replies.fans, 'FANS')
    .map((f) => num(f, 'RPM'))
    .filter((r): r is number => r !== null && r > 0);
  const hw = num(s, 'Hardware Errors');
  return {
    hashrateThs: ths(num(s, 'MHS 5s', 'MHS av'), 'MH'),
    boards,
    fans,
    pools: cgminerPools(replies.pools),
    uptimeS: num(s, 'Elapsed'),
    ...(hw !== null && hw > 0 ? { errors: [`hardware errors: ${hw}`] } : {}),
  };
}
