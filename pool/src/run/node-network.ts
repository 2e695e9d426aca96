// Before the roles start: ask the node which chain it is on (getblockchaininfo) and check the payout
// address against it, so a mainnet address on a regtest node is an error at once, not a silent
// jobmaster that never makes a job.
import { fail, ok, type Result } from '@farmhand/core';
import { addressToScript, type Network } from '@farmhand/core/bitcoin';
import { BitcoindClient, chainToNetwork } from '../bitcoind/index.js';
import type { SmallPoolPlan } from './small-pool-flags.js';

export type NodeCheckCode = 'NODE_UNREACHABLE' | 'NODE_CHAIN_UNKNOWN' | 'PAYOUT_ADDRESS_INVALID';

export async function nodeNetwork(
  plan: SmallPoolPlan,
  timeoutMs = 10_000,
): Promise<Result<{ network: Network; blocks: number }, NodeCheckCode>> {
  const client = new BitcoindClient({
    url: plan.bitcoind.url,
    timeoutMs,
    ...(plan.bitcoind.cookieFile !== undefined ? { cookieFile: plan.bitcoind.cookieFile } : {}),
  });
  try {
    const info = await client.getBlockchainInfo();
    if (!info.ok) return fail('NODE_UNREACHABLE', `cannot ask the node its chain: ${info.error.message}`);
    const network = chainToNetwork(info.value.chain);
    if (!network)
      return fail(
        'NODE_CHAIN_UNKNOWN',
        `the node is on chain "${info.value.chain}", which farmhand does not know`,
      );
    const a = addressToScript(plan.payoutAddress, network);
    if (!a.ok)
      return fail(
        'PAYOUT_ADDRESS_INVALID',
        `--payout-address ${plan.payoutAddress} is not a ${network} address (the node is on ${network}): ${a.error.message}`,
      );
    return ok({ network, blocks: info.value.blocks });
  } finally {
    await client.close();
  }
}
