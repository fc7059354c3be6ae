// Long synchronous stretches (parsing, hashing, store commits) yield to the event loop every few tens of
// milliseconds, so that timers keep running: job and repository lock renewals, health checks, progress.

/** A function to await between items of a long loop: it yields when `everyMs` have passed since the last time. */
export function yielder(now: () => number = () => performance.now(), everyMs = 50): () => Promise<void> {
  let last = now();
  return async () => {
    if (now() - last < everyMs) return;
    await new Promise((resolve) => setImmediate(resolve));
    last = now();
  };
}
