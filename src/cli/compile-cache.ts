// Imported first by the command-line entry, so that it runs before any other module is compiled. On Node
// 22.1 and later, Node keeps the compiled code of the modules a command loads (commander, lmdb, each
// command's own) in os.tmpdir()/node-compile-cache, as TypeScript, ESLint and Prettier have it do for theirs:
// a warm `docs-fix check` on Node 24 starts about 15% sooner (npm run bench:start). Node 20 has no such
// cache; NODE_DISABLE_COMPILE_CACHE=1 turns it off, NODE_COMPILE_CACHE=<dir> moves it.
import nodeModule from 'node:module';

(nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache?.();
