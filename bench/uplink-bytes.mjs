// Upstream bytes per share: uplink SHARES records (frame + batch header amortized) against the same
// shares forwarded as plain Stratum mining.submit lines; and the replies (ACK vs one JSON result each).
import { encodeMessageFrame } from '@farmhand/core/uplink';
import { encodeResult, encodeSubmit } from '@farmhand/core/stratum';
import { report } from './report.mjs';

const BENCH = 'uplink-bytes';
const h = (n, w) => (n >>> 0).toString(16).padStart(w, '0');
const record = (i) => ({
  seq: 1_000_000 + i,
  jobId: 0x1f3a,
  worker: i % 200,
  extranonce2: Buffer.from(h(i * 2654435761, 16), 'hex'),
  ntimeDelta: i % 30,
  nonce: (i * 40503) >>> 0,
  versionBits: (i * 7) & 0xffff,
});
// A realistic worker name and a pool job id as public pools send them.
const submitLine = (i) =>
  encodeSubmit(1000 + i, {
    worker: `acme.rack${h(i % 200, 2)}-s19jpro`,
    jobId: '1f3a',
    extranonce2: h(i * 2654435761, 16),
    ntime: h(0x6553f100 + (i % 30), 8),
    nonce: h(i * 40503, 8),
    versionBits: h(((i * 7) & 0xffff) << 13, 8),
  });

const N = 4096;
let plain = 0;
let plainReplies = 0;
for (let i = 0; i < N; i++) {
  plain += Buffer.byteLength(submitLine(i));
  plainReplies += Buffer.byteLength(encodeResult(1000 + i, true));
}
const plainPerShare = plain / N;
report(BENCH, 'stratum_submit_bytes_per_share', plainPerShare, 'bytes');
report(BENCH, 'stratum_reply_bytes_per_share', plainReplies / N, 'bytes');

for (const batch of [1, 10, 50, 512]) {
  let bytes = 0;
  let ackBytes = 0;
  for (let i = 0; i < N; i += batch) {
    const records = Array.from({ length: Math.min(batch, N - i) }, (_, k) => record(i + k));
    bytes += encodeMessageFrame({ type: 'shares', extranonce2Size: 8, records }, i + 1).length;
    ackBytes += encodeMessageFrame(
      { type: 'ack', sharesFrameSeq: i + 1, count: records.length, rejected: [] },
      i + 1,
    ).length;
  }
  const perShare = bytes / N;
  report(BENCH, `uplink_bytes_per_share_batch_${batch}`, perShare, 'bytes', {
    record: 24,
    ratio_vs_stratum: Number((plainPerShare / perShare).toFixed(2)),
  });
  report(BENCH, `uplink_ack_bytes_per_share_batch_${batch}`, ackBytes / N, 'bytes');
}
