// CRC-32C (Castagnoli): reflected polynomial 0x82F63B78, init and final XOR 0xFFFFFFFF.
// Check value: crc32c("123456789") = 0xE3069283. Slicing-by-4 tables keep it fast in plain TS.

const POLY = 0x82f63b78;
const T0 = new Uint32Array(256);
const T1 = new Uint32Array(256);
const T2 = new Uint32Array(256);
const T3 = new Uint32Array(256);

for (let i = 0; i < 256; i++) {
  let c = i;
  for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
  T0[i] = c >>> 0;
}
for (let i = 0; i < 256; i++) {
  T1[i] = (T0[T0[i]! & 0xff]! ^ (T0[i]! >>> 8)) >>> 0;
  T2[i] = (T0[T1[i]! & 0xff]! ^ (T1[i]! >>> 8)) >>> 0;
  T3[i] = (T0[T2[i]! & 0xff]! ^ (T2[i]! >>> 8)) >>> 0;
}

/**
 * CRC-32C of `data`. Pass a previous result as `crc` to continue over several pieces:
 * crc32c(b, crc32c(a)) === crc32c(a ++ b).
 */
export function crc32c(data: Uint8Array, crc = 0): number {
  let c = ~crc >>> 0;
  let i = 0;
  const n = data.length;
  for (; i + 4 <= n; i += 4) {
    c ^= data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    c = T3[c & 0xff]! ^ T2[(c >>> 8) & 0xff]! ^ T1[(c >>> 16) & 0xff]! ^ T0[c >>> 24]!;
  }
  for (; i < n; i++) c = T0[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}
