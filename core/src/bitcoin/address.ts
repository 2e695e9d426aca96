import { bech32, bech32m, createBase58check } from '@scure/base';
import { concatBytes } from './bytes.js';
import { sha256 } from './hash.js';
import { type Result, fail, ok } from '../result.js';

export type Network = 'mainnet' | 'testnet' | 'signet' | 'regtest';
export type AddressType = 'p2pkh' | 'p2sh' | 'p2wpkh' | 'p2wsh' | 'p2tr' | 'witness';

interface NetworkParams {
  pubkeyHash: number;
  scriptHash: number;
  hrp: string;
}

const NETWORKS: Record<Network, NetworkParams> = {
  mainnet: { pubkeyHash: 0x00, scriptHash: 0x05, hrp: 'bc' },
  testnet: { pubkeyHash: 0x6f, scriptHash: 0xc4, hrp: 'tb' },
  signet: { pubkeyHash: 0x6f, scriptHash: 0xc4, hrp: 'tb' },
  regtest: { pubkeyHash: 0x6f, scriptHash: 0xc4, hrp: 'bcrt' },
};

const base58check = createBase58check(sha256);

export interface DecodedAddress {
  type: AddressType;
  scriptPubKey: Uint8Array;
}

export type AddressError = 'ADDRESS_INVALID' | 'ADDRESS_WRONG_NETWORK';

/** Decodes any standard address of a network into the output script that pays it. */
export function addressToScript(address: string, network: Network): Result<DecodedAddress, AddressError> {
  const params = NETWORKS[network];
  const lower = address.toLowerCase();
  const sep = lower.lastIndexOf('1');
  if (sep > 0 && /^(bc|tb|bcrt)$/.test(lower.slice(0, sep)))
    return decodeSegwit(address, lower.slice(0, sep), params, network);
  let payload: Uint8Array;
  try {
    payload = base58check.decode(address);
  } catch {
    return fail(
      'ADDRESS_INVALID',
      `"${address}" is not a valid Bitcoin address (bad base58 checksum or characters)`,
    );
  }
  if (payload.length !== 21)
    return fail('ADDRESS_INVALID', `"${address}" has a ${payload.length}-byte payload, expected 21`);
  const version = payload[0];
  const hash = payload.subarray(1);
  if (version === params.pubkeyHash) {
    // OP_DUP OP_HASH160 <20> OP_EQUALVERIFY OP_CHECKSIG
    return ok({
      type: 'p2pkh',
      scriptPubKey: concatBytes(Uint8Array.of(0x76, 0xa9, 0x14), hash, Uint8Array.of(0x88, 0xac)),
    });
  }
  if (version === params.scriptHash) {
    // OP_HASH160 <20> OP_EQUAL
    return ok({
      type: 'p2sh',
      scriptPubKey: concatBytes(Uint8Array.of(0xa9, 0x14), hash, Uint8Array.of(0x87)),
    });
  }
  return fail('ADDRESS_WRONG_NETWORK', `"${address}" is not a ${network} address (version byte ${version})`);
}

function decodeSegwit(
  address: string,
  hrp: string,
  params: NetworkParams,
  network: Network,
): Result<DecodedAddress, AddressError> {
  if (hrp !== params.hrp)
    return fail('ADDRESS_WRONG_NETWORK', `"${address}" is for "${hrp}", this pool runs on ${network}`);
  let words: number[];
  let isBech32m = false;
  try {
    words = bech32.decode(address as `${string}1${string}`, 90).words;
  } catch {
    try {
      words = bech32m.decode(address as `${string}1${string}`, 90).words;
      isBech32m = true;
    } catch {
      return fail('ADDRESS_INVALID', `"${address}" is not a valid bech32/bech32m address`);
    }
  }
  const version = words[0];
  if (version === undefined || version > 16)
    return fail('ADDRESS_INVALID', `"${address}" has no witness version`);
  let program: Uint8Array;
  try {
    program = bech32.fromWords(words.slice(1));
  } catch {
    return fail('ADDRESS_INVALID', `"${address}" has a malformed witness program`);
  }
  // BIP350: version 0 uses bech32, later versions bech32m.
  if ((version === 0) === isBech32m)
    return fail('ADDRESS_INVALID', `"${address}" uses the wrong checksum for witness v${version}`);
  if (program.length < 2 || program.length > 40)
    return fail('ADDRESS_INVALID', `"${address}" has a ${program.length}-byte witness program`);
  if (version === 0 && program.length !== 20 && program.length !== 32) {
    return fail(
      'ADDRESS_INVALID',
      `"${address}" is witness v0 with a ${program.length}-byte program (20 or 32 expected)`,
    );
  }
  const opVersion = version === 0 ? 0x00 : 0x50 + version;
  const scriptPubKey = concatBytes(Uint8Array.of(opVersion, program.length), program);
  const type: AddressType =
    version === 0
      ? program.length === 20
        ? 'p2wpkh'
        : 'p2wsh'
      : version === 1 && program.length === 32
        ? 'p2tr'
        : 'witness';
  return ok({ type, scriptPubKey });
}
