// `farmhand-pool fake-bitcoind --port P [--template FILE]`: the fake node for the demo and manual tests.
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { bitsToTarget, type BlockTemplate } from '@farmhand/core/bitcoin';
import { FakeBitcoind } from './fake-bitcoind.js';
import { REGTEST_TEMPLATE_108 } from './regtest-template.js';
import { createServiceNotifier } from '../service/index.js';

export function fakeBitcoindCommand(): Command {
  return new Command('fake-bitcoind')
    .description('a fake regtest bitcoind (JSON-RPC getblocktemplate/submitblock) for tests and the demo')
    .requiredOption('--port <port>', 'TCP port (0 picks a free one)')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option(
      '--template <file>',
      'a getblocktemplate result (JSON) to start from; default: Core regtest height 108',
    )
    .option(
      '--bits <hex>',
      'nBits of every template (a harder target than regtest 207fffff makes blocks rarer)',
    )
    .option('--user <user>', 'RPC user', 'farmhand')
    .option('--password <password>', 'RPC password', 'farmhand')
    .action(
      async (opts: {
        port: string;
        host: string;
        template?: string;
        bits?: string;
        user: string;
        password: string;
      }) => {
        const port = Number(opts.port);
        if (!Number.isInteger(port) || port < 0 || port > 65535) {
          console.error(`fake-bitcoind: --port ${opts.port}: expected 0..65535`);
          process.exitCode = 2;
          return;
        }
        let template: BlockTemplate | undefined;
        if (opts.template) {
          try {
            const raw = JSON.parse(readFileSync(opts.template, 'utf8')) as {
              result?: BlockTemplate;
            } & BlockTemplate;
            template = raw.result ?? raw; // accept a bare template or a whole JSON-RPC reply
          } catch (e) {
            console.error(`fake-bitcoind: --template ${opts.template}: ${(e as Error).message}`);
            process.exitCode = 2;
            return;
          }
        }
        if (opts.bits !== undefined) {
          if (!/^[0-9a-f]{8}$/i.test(opts.bits)) {
            console.error(`fake-bitcoind: --bits ${opts.bits}: expected 8 hex digits, e.g. 1f00ffff`);
            process.exitCode = 2;
            return;
          }
          const target = bitsToTarget(Number.parseInt(opts.bits, 16)).toString(16).padStart(64, '0');
          template = { ...(template ?? REGTEST_TEMPLATE_108), bits: opts.bits.toLowerCase(), target };
        }
        const fake = new FakeBitcoind({
          host: opts.host,
          port,
          user: opts.user,
          password: opts.password,
          ...(template ? { template } : {}),
        });
        const notifier = createServiceNotifier();
        const { url } = await fake.listen();
        notifier.ready(`fake-bitcoind on ${opts.host}, regtest`);
        console.log(`fake-bitcoind listening: ${url} (regtest, tip height ${fake.chain.tip.height})`);
        const stop = (): void => {
          notifier.stopping();
          void fake.close().then(() => process.exit(0));
        };
        process.once('SIGTERM', stop);
        process.once('SIGINT', stop);
      },
    );
}
