// The container health check: exit 0 when the running app's /healthz answers 200.
const port = process.env.PORT ?? '3000';
try {
  const res = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(4000) });
  process.exitCode = res.status === 200 ? 0 : 1;
} catch {
  process.exitCode = 1;
}
