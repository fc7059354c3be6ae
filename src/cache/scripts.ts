// Loads the Lua scripts that sit next to this module (src/ under vitest, dist/src/ after the build copies them).
import { readFileSync } from 'node:fs';

export interface LuaScript {
  /** ioredis command name. */
  readonly command: string;
  readonly numberOfKeys: number;
  readonly lua: string;
}

function load(file: string, command: string): LuaScript {
  const match = /-(\d+)\.lua$/.exec(file);
  if (!match) throw new Error(`script ${file} must be named <name>-<numKeys>.lua`);
  const lua = readFileSync(new URL(`./scripts/${file}`, import.meta.url), 'utf8');
  return { command, numberOfKeys: Number(match[1]), lua };
}

let loaded: { readonly writeRewrite: LuaScript; readonly writeHeld: LuaScript } | undefined;

export function lineScripts(): { readonly writeRewrite: LuaScript; readonly writeHeld: LuaScript } {
  loaded ??= {
    writeRewrite: load('write-rewrite-2.lua', 'docsFixWriteRewrite'),
    writeHeld: load('write-held-1.lua', 'docsFixWriteHeld'),
  };
  return loaded;
}
