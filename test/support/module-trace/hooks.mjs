// Module hooks (node:module register) that print every module a process loads: `LOADED <url>` on stderr.
// The hooks run on their own thread, whose process.stderr reaches fd 2 through the main thread, later: a
// process that exits soon after its last import (`docs-fix --version`) could end before those lines were
// written. writeSync to fd 2 writes each line before the module is handed back.
import { writeSync } from 'node:fs';

export async function load(url, context, nextLoad) {
  const result = await nextLoad(url, context);
  writeSync(2, `LOADED ${url}\n`);
  return result;
}
