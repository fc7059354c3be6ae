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

export interface LineScripts {
  readonly writeRewrite: LuaScript;
  readonly writeHeld: LuaScript;
  readonly forgetRejection: LuaScript;
}

let loaded: LineScripts | undefined;

export function lineScripts(): LineScripts {
  loaded ??= {
    writeRewrite: load('write-rewrite-2.lua', 'docsFixWriteRewrite'),
    writeHeld: load('write-held-1.lua', 'docsFixWriteHeld'),
    forgetRejection: load('forget-rejection-1.lua', 'docsFixForgetRejection'),
  };
  return loaded;
}
