// Where an installed package lives and its version. Both packages the offline editor reads export neither
// their package.json nor (harper.js) a CommonJS entry, so the folder is found the way Node looks for it.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

export function packageDir(name: string): string {
  const searched = createRequire(import.meta.url).resolve.paths(name) ?? [];
  for (const dir of searched) {
    if (existsSync(join(dir, name, 'package.json'))) return join(dir, name);
  }
  throw new Error(`cannot find the package ${name} (searched ${searched.join(', ')})`);
}

export function packageVersion(name: string): string {
  const file = join(packageDir(name), 'package.json');
  const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown; version?: unknown };
  if (pkg.name !== name || typeof pkg.version !== 'string') {
    throw new Error(`${file}: not the package.json of ${name}`);
  }
  return pkg.version;
}
