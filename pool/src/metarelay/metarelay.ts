// The metarelay role: a region's gateways send their stats batches here (the same stats link as the
// metawriter's); each batch is fsync'd to the relay's spool before the gateway gets its ACK, then
// forwarded to the central metawriter by the same sender the gateway uses. While the metawriter is
// away the spool grows; when it is back everything unacked is replayed, oldest first.
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { StatsListener } from '../metawriter/stats-listener.js';
import { StatsSender, StatsSpool } from '../stats-link/index.js';
import type { MetarelayConfig } from './config.js';
import { RelayIntake } from './relay-intake.js';

export interface RunningMetarelay {
  readonly address: AddressInfo;
  readonly spool: StatsSpool;
  readonly sender: StatsSender;
  readonly intake: RelayIntake;
  stop(): Promise<void>;
}

export async function startMetarelay(config: MetarelayConfig, log: Logger): Promise<RunningMetarelay> {
  const spool = new StatsSpool(config.spool.dir, Math.floor(config.spool.maxMegabytes * 1024 * 1024));
  for (const p of spool.problems) log.error(p, 'unreadable stats batch in the spool, skipped');
  if (spool.pending > 0)
    log.info({ pending: spool.pending }, 'relay spool holds batches from before the restart');
  const acked = { to: (_key: number): void => {} };
  const sender = new StatsSender(spool, {
    ...config.metawriter,
    window: config.window,
    logger: log.child({ part: 'forward' }),
    onAcked: (key) => acked.to(key),
  });
  const intake = new RelayIntake(spool, () => sender.pump());
  acked.to = (key) => intake.acked(key);
  let fullLogged = 0;
  const taker = intake;
  const listener = new StatsListener(
    {
      submit: async (batch) => {
        const r = await taker.submit(batch);
        if (!r.ok && taker.refused > fullLogged) {
          fullLogged = taker.refused;
          // The gateways keep what we refuse, so this is not yet a loss; it becomes one when theirs fill.
          if (taker.refused === 1 || taker.refused % 100 === 0)
            log.fatal({ refused: taker.refused, spoolBytes: spool.bytes }, r.error.message);
        }
        return r;
      },
    },
    {
      host: config.listen.host,
      port: config.listen.port,
      trust: config.trust,
      maxBodyBytes: config.maxBodyBytes,
      maxInFlightPerConnection: config.maxInFlightPerConnection,
      onLog: (level, msg) => log[level](msg),
    },
  );
  const address = await listener.listen();
  sender.start();
  log.info(
    {
      host: address.address,
      port: address.port,
      metawriter: `${config.metawriter.host}:${config.metawriter.port}`,
    },
    'metarelay listening',
  );
  return {
    address,
    spool,
    sender,
    intake,
    async stop() {
      await listener.close();
      // In-flight batches get a moment for their ACKs; the rest stay spooled for the next start.
      const until = Date.now() + 2000;
      while (spool.pending > 0 && sender.connected && Date.now() < until)
        await new Promise((r) => setTimeout(r, 20));
      sender.close();
      spool.close();
    },
  };
}
