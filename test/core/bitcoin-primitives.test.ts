import { describe, expect, it } from 'vitest';
import {
  addressToScript,
  bip34HeightPush,
  bitsToTarget,
  bytesToHex,
  difficultyToTarget,
  hashDifficulty,
  hexToBytes,
  readBip34Height,
  reversed,
  targetToBits,
  targetToDifficulty,
  DIFF1_TARGET,
  type Network,
} from '@farmhand/core/bitcoin';

describe('addresses → output scripts', () => {
  const vectors: [string, Network, string, string][] = [
    [
      '1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2',
      'mainnet',
      'p2pkh',
      '76a91477bff20c60e522dfaa3350c39b030a5d004e839a88ac',
    ],
    [
      '3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy',
      'mainnet',
      'p2sh',
      'a914b472a266d0bd89c13706a4132ccfb16f7c3b9fcb87',
    ],
    [
      'bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4',
      'mainnet',
      'p2wpkh',
      '0014751e76e8199196d454941c45d1b3a323f1433bd6',
    ],
    [
      'BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4',
      'mainnet',
      'p2wpkh',
      '0014751e76e8199196d454941c45d1b3a323f1433bd6',
    ],
    [
      'bc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qccfmv3',
      'mainnet',
      'p2wsh',
      '00201863143c14c5166804bd19203356da136c985678cd4d27a1b8c6329604903262',
    ],
    [
      'bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0',
      'mainnet',
      'p2tr',
      '512079be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798',
    ],
    [
      'tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7',
      'testnet',
      'p2wsh',
      '00201863143c14c5166804bd19203356da136c985678cd4d27a1b8c6329604903262',
    ],
    // The Bitaxe session's payout address; public-pool's coinb2 pays exactly this script.
    [
      'tb1qumezefzdeqqwn5zfvgdrhxjzc5ylr39uhuxcz4',
      'testnet',
      'p2wpkh',
      '0014e6f22ca44dc800e9d049621a3b9a42c509f1c4bc',
    ],
    [
      'tb1qumezefzdeqqwn5zfvgdrhxjzc5ylr39uhuxcz4',
      'signet',
      'p2wpkh',
      '0014e6f22ca44dc800e9d049621a3b9a42c509f1c4bc',
    ],
    [
      'mipcBbFg9gMiCh81Kj8tqqdgoZub1ZJRfn',
      'testnet',
      'p2pkh',
      '76a914243f1394f44554f4ce3fd68649c19adc483ce92488ac',
    ],
    [
      'mipcBbFg9gMiCh81Kj8tqqdgoZub1ZJRfn',
      'regtest',
      'p2pkh',
      '76a914243f1394f44554f4ce3fd68649c19adc483ce92488ac',
    ],
    [
      '2MzQwSSnBHWHqSAqtTVQ6v47XtaisrJa1Vc',
      'testnet',
      'p2sh',
      'a9144e9f39ca4688ff102128ea4ccda34105324305b087',
    ],
    // Bitcoin Core's regtest block 108 pays 0014 79b00088…; its bcrt address:
    [
      'bcrt1q0xcqpzrky6eff2g52qdye53xkk9jxkvrl4xfg5',
      'regtest',
      'p2wpkh',
      '001479b000887626b294a914501a4cd226b58b235983',
    ],
  ];
  it.each(vectors)('%s on %s is %s', (address, network, type, script) => {
    const r = addressToScript(address, network);
    expect(r.ok && r.value.type).toBe(type);
    expect(r.ok && bytesToHex(r.value.scriptPubKey)).toBe(script);
  });

  it('rejects wrong networks, bad checksums and the wrong bech32 variant with typed errors', () => {
    const cases: [string, Network, string][] = [
      ['bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4', 'testnet', 'ADDRESS_WRONG_NETWORK'],
      ['1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2', 'regtest', 'ADDRESS_WRONG_NETWORK'],
      ['1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3', 'mainnet', 'ADDRESS_INVALID'],
      ['bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5', 'mainnet', 'ADDRESS_INVALID'],
      // witness v1 encoded with plain bech32 (BIP350 invalid)
      [
        'bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7k7grplx',
        'mainnet',
        'ADDRESS_INVALID',
      ],
      ['', 'mainnet', 'ADDRESS_INVALID'],
      ['not an address', 'mainnet', 'ADDRESS_INVALID'],
    ];
    for (const [address, network, code] of cases) {
      const r = addressToScript(address, network);
      expect(r.ok, address).toBe(false);
      if (!r.ok) {
        expect(r.error.code, address).toBe(code);
        expect(r.error.message.length).toBeGreaterThan(10);
      }
    }
  });
});

describe('nBits, targets and difficulty', () => {
  it('converts real nBits both ways', () => {
    const vectors: [number, string][] = [
      [0x1d00ffff, '00000000ffff0000000000000000000000000000000000000000000000000000'],
      [0x207fffff, '7fffff0000000000000000000000000000000000000000000000000000000000'],
      [0x172819a1, '0000000000000000002819a10000000000000000000000000000000000000000'],
      [0x1705ae3a, '00000000000000000005ae3a0000000000000000000000000000000000000000'],
    ];
    for (const [bits, target] of vectors) {
      expect(bitsToTarget(bits).toString(16).padStart(64, '0')).toBe(target);
      expect(targetToBits(bitsToTarget(bits))).toBe(bits);
    }
    expect(bitsToTarget(0x1d00ffff)).toBe(DIFF1_TARGET);
  });

  it('difficulty of well-known targets', () => {
    expect(targetToDifficulty(DIFF1_TARGET)).toBe(1);
    // Bitcoin Core reports regtest's 207fffff as difficulty 4.656542373906925e-10.
    expect(targetToDifficulty(bitsToTarget(0x207fffff))).toBeCloseTo(4.656542373906925e-10, 22);
    // Mainnet block 542213 (bits 172819a1): difficulty 7,019,199,231,177.17.
    expect(targetToDifficulty(bitsToTarget(0x172819a1))).toBeCloseTo(7019199231177.173, 2);
  });

  it('difficulty → target round-trips for fractional and large difficulties', () => {
    for (const d of [0.001, 0.5, 1, 16, 512, 65536, 1e9, 7.2e12]) {
      expect(targetToDifficulty(difficultyToTarget(d)) / d).toBeCloseTo(1, 9);
    }
    expect(() => difficultyToTarget(0)).toThrow(RangeError);
    expect(() => difficultyToTarget(Number.NaN)).toThrow(RangeError);
  });

  it('share difficulty of a real header hash (ESP-Miner vector: 18.04)', () => {
    const hash = reversed(hexToBytes('000000000e30101020e2ec8c9302a9ee56b2b2bef354b63489a0801f5789ed19'));
    expect(hashDifficulty(hash)).toBeCloseTo(18.043465815769544, 9);
  });
});

describe('BIP34 height pushes', () => {
  it('encodes as Bitcoin Core does and reads back', () => {
    const vectors: [number, string][] = [
      [0, '00'],
      [1, '51'],
      [16, '60'],
      [17, '0111'],
      [108, '016c'],
      [127, '017f'],
      [128, '028000'],
      [255, '02ff00'],
      [542213, '03054608'],
      [2442185, '03c94325'],
      [924634, '03da1b0e'],
      [8388608, '0400008000'],
    ];
    for (const [height, hex] of vectors) {
      expect(bytesToHex(bip34HeightPush(height))).toBe(hex);
      expect(readBip34Height(bip34HeightPush(height))).toBe(height);
    }
  });
});
