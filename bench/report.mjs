// The bench output convention: one JSON line per figure, then anything human.
export function report(bench, metric, value, unit, extra = {}) {
  console.log(JSON.stringify({ bench, metric, value: Number(value.toPrecision(6)), unit, ...extra }));
}

/** Runs fn repeatedly for about `ms` milliseconds and returns operations per second. */
export function opsPerSecond(fn, ms = 1500, batch = 1000) {
  for (let i = 0; i < batch; i++) fn(0x7fffffff - i); // warm-up, on inputs the run never repeats
  let ops = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    for (let i = 0; i < batch; i++) fn(ops + i);
    ops += batch;
    now = performance.now();
  }
  return (ops / (now - start)) * 1000;
}
