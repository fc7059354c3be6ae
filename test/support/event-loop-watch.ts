// Reports test code that holds a worker's event loop: vitest's forks pool answers the runner over an RPC
// with a fixed 60 s deadline, and a worker whose loop is blocked that long reads the answer only after the
// deadline fired, an unhandled "Timeout calling onTaskUpdate" with no test named. This names the test: any
// stretch over WARN_MS without a turn of the loop is printed with the test that was running, so a slow
// synchronous loop is found (and made to yield) long before a loaded machine turns it into that error.
import { afterAll, afterEach, beforeEach, expect } from 'vitest';

const WARN_MS = 5_000;
const TICK_MS = 200;

let running = '(between tests)';
const stalls: string[] = [];
let last = performance.now();
const timer = setInterval(() => {
  const now = performance.now();
  const gap = now - last - TICK_MS;
  if (gap > WARN_MS) stalls.push(`${Math.round(gap / 1000)} s in ${running}`);
  last = now;
}, TICK_MS);
timer.unref();

beforeEach(() => {
  running = expect.getState().currentTestName ?? '(unnamed test)';
});
afterEach(() => {
  running = '(between tests)';
});
afterAll(() => {
  clearInterval(timer);
  for (const stall of stalls) {
    process.stderr.write(
      `event loop held for ${stall}: yield inside long synchronous loops (src/engine/yield.ts)\n`,
    );
  }
});
