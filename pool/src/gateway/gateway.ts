// The gateway role: jobmaster link → work book → direct miners (Stratum V1) and agents (uplink), every
// share validated here, found blocks to the jobmaster at once, stats to the metawriter via the spool.
// Nothing is process-global: several gateways run side by side (distinct names and extranonce prefixes).
import { bytesToHex, hashMeetsTarget, parseHeader, reversed } from '@farmhand/core/bitcoin';
import type { ShareVerdict } from '@farmhand/core/share';
import { hex32 } from '@farmhand/core/stratum';
import type { Logger } from 'pino';
import { AgentServer } from './agent-server.js';
import type { GatewayConfig } from './config.js';
import { GatewayStats } from './gateway-stats.js';
import { IpBans } from './ip-bans.js';
import { JobmasterLink, type JobEvent } from './jobmaster-link.js';
import { MinerServer } from './miner-server.js';
import type { BlockResultMessage, NewBlockMessage } from '../jobmaster/wire.js';
import { WorkBook, type GatewayJob } from './work-book.js';

export interface RunningGateway {
  readonly stratumPort: number;
  readonly uplinkPort: number;
  readonly work: WorkBook;
  readonly miners: MinerServer;
  readonly agents: AgentServer;
  readonly stats: GatewayStats;
  readonly jobmaster: JobmasterLink;
  readonly counters: {
    sharesAccepted: number;
    sharesRejected: number;
    blocks: number;
    /** Shares sent to the jobmaster for meeting the aux target only (merged mining). */
    auxShares: number;
    auxBlocks: number;
    jobs: number;
  };
  stop(): Promise<void>;
}

export async function startGateway(config: GatewayConfig, log: Logger): Promise<RunningGateway> {
  const work = new WorkBook(config.extranoncePrefix.toLowerCase(), config.extranonceCounterBytes);
  const bans = new IpBans(config.bans.static, config.bans.minutes * 60_000);
  const stats = new GatewayStats({
    source: config.name,
    host: config.host,
    coin: config.coin,
    spoolDir: config.spool.dir,
    spoolMaxBytes: Math.floor(config.spool.maxMegabytes * 1024 * 1024),
    metawriter: config.metawriter,
    logger: log.child({ part: 'stats' }),
  });
  const jobmaster = new JobmasterLink({
    addresses: config.jobmaster,
    name: config.name,
    logger: log.child({ part: 'jobmaster' }),
  });
  const counters = { sharesAccepted: 0, sharesRejected: 0, blocks: 0, auxShares: 0, auxBlocks: 0, jobs: 0 };

  /**
   * Every judged share from a miner or an agent: stats, and a found block to the jobmaster at once —
   * also a share that meets only the job's aux target: the jobmaster decides which aux chains it wins.
   */
  const onShare = (
    user: string,
    worker: string,
    verdict: ShareVerdict,
    difficulty: number,
    job: GatewayJob | undefined,
    extranonce: string,
  ): void => {
    const auxOnly =
      verdict.kind === 'accepted' &&
      !verdict.block &&
      job?.auxTarget !== undefined &&
      hashMeetsTarget(verdict.hash, job.auxTarget);
    if (verdict.kind === 'accepted' && (verdict.block || auxOnly) && job) {
      const h = parseHeader(verdict.header);
      const hash = bytesToHex(reversed(verdict.hash));
      jobmaster.foundBlock(
        {
          type: 'FOUND_BLOCK',
          jobId: job.source.job.jobId,
          extranonce,
          ntime: hex32(h.time),
          nonce: hex32(h.nonce),
          version: hex32(h.version),
          hash,
          user,
          worker,
        },
        auxOnly,
      );
      if (auxOnly) counters.auxShares += 1;
      else {
        counters.blocks += 1;
        stats.block(user, worker, hash);
        log.info({ user, worker, hash, height: job.source.height }, 'block found; sent to the jobmaster');
      }
    }
    if (verdict.kind === 'accepted') counters.sharesAccepted += 1;
    else counters.sharesRejected += 1;
    stats.share(user, worker, verdict, difficulty, job?.networkDifficulty ?? 0, Date.now());
  };

  const miners = new MinerServer(
    {
      host: config.stratum.host,
      port: config.stratum.port,
      vardiff: { ...config.vardiff, minDifficulty: config.minDifficulty },
      startDifficulty: config.startDifficulty,
      maxLineBytes: config.maxLineBytes,
      maxConnections: config.maxConnections,
      maxConnectionsPerIp: config.maxConnectionsPerIp,
      flood: { ratePerSecond: config.floodRatePerSecond, burst: config.floodBurst },
      maxMalformedLines: config.bans.maxMalformedLines,
      idleTimeoutMs: config.idleTimeoutSeconds * 1000,
      rebroadcastMs: config.rebroadcastSeconds * 1000,
      logger: log.child({ part: 'stratum' }),
    },
    work,
    bans,
    {
      share: (s, m) =>
        onShare(
          s.account,
          s.worker,
          s.verdict,
          s.difficulty,
          work.get(s.jobId),
          m.extranonce1 + s.extranonce2,
        ),
      authorized: (account, worker, ip) => {
        stats.connection(account, worker, ip, 'connected');
        stats.counter('new_authorized');
      },
      disconnected: (account, worker, ip) => stats.connection(account, worker, ip, 'disconnected'),
      refused: (why) => stats.counter(why === 'banned' ? 'ip_banned' : 'connection_refused'),
      banned: () => stats.counter('ip_ban_new'),
    },
  );
  const agents = new AgentServer(
    {
      host: config.uplink.host,
      port: config.uplink.port,
      ...(config.uplink.tls ? { tls: config.uplink.tls } : {}),
      agents: config.agents,
      difficulty: config.agentDifficulty,
      logger: log.child({ part: 'uplink' }),
    },
    work,
    bans,
    {
      share: (w, verdict, difficulty, job, extranonce) =>
        onShare(w.account, w.worker, verdict, difficulty, job, extranonce),
      connection: (account, worker, ip, event) => stats.connection(account, worker, ip, event),
    },
  );

  jobmaster.on('block-result', (r: BlockResultMessage) => {
    const answers = r.answers.map((a) => `${a.node}: ${a.error ?? a.result ?? 'accepted'}`).join(', ');
    if (r.accepted) log.info({ hash: r.hash, height: r.height }, `block accepted (${answers})`);
    else log.error({ hash: r.hash, height: r.height }, `block refused by every node (${answers})`);
  });

  // Parent blocks are recorded when found; an aux block is known once the jobmaster says a chain took it.
  jobmaster.on('new-block', (m: NewBlockMessage) => {
    if (m.chain === undefined) return;
    counters.auxBlocks += 1;
    stats.block(m.user ?? '', m.worker ?? '', m.hash, m.chain);
    log.info({ chain: m.chain, hash: m.hash, height: m.height, user: m.user }, 'aux block accepted');
  });

  jobmaster.on('job', (ev: JobEvent) => {
    const added = work.add(ev.job, ev.first);
    if (!added.ok) {
      log.error({ code: added.error.code }, added.error.message);
      return;
    }
    counters.jobs += 1;
    stats.counter('job_broadcast');
    if (added.value.stratum.cleanJobs) stats.counter('job_clean');
    miners.broadcast(added.value);
    agents.broadcast(added.value);
  });

  const stratumPort = await miners.listen();
  const uplinkPort = await agents.listen();
  stats.start();
  jobmaster.start();
  const gauge = setInterval(() => {
    stats.counter('connections', miners.connections);
    stats.counter('agent_conns', agents.sessions);
    stats.counter('agent_miners', agents.agentMiners);
  }, 60_000);
  gauge.unref();
  log.info({ stratumPort, uplinkPort, gateway: config.name }, 'gateway listening');

  return {
    stratumPort,
    uplinkPort,
    work,
    miners,
    agents,
    stats,
    jobmaster,
    counters,
    async stop() {
      clearInterval(gauge);
      jobmaster.close();
      await Promise.all([miners.close(), agents.close()]);
      await stats.close();
    },
  };
}
