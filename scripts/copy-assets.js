// Copies non-TypeScript runtime assets (Lua scripts) next to the compiled JavaScript.
import { cpSync, existsSync } from 'node:fs';

const pairs = [
  ['src/cache/scripts', 'dist/src/cache/scripts'],
  ['src/jobs/scripts', 'dist/src/jobs/scripts'],
];
for (const [from, to] of pairs) {
  if (existsSync(from)) cpSync(from, to, { recursive: true });
}
