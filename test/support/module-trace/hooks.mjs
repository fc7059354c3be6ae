// Module hooks (node:module register) that print every module a process loads: `LOADED <url>` on stderr.
export async function load(url, context, nextLoad) {
  const result = await nextLoad(url, context);
  process.stderr.write(`LOADED ${url}\n`);
  return result;
}
