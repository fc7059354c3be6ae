// Rewrites the generated configuration tables in README.md and src/config/defaults.ts from the zod schemas
// (test/config checks them).
import { readFileSync, writeFileSync } from 'node:fs';
import { operatorEnvTable, repoConfigTable } from '../src/config/docs.js';
import { defaultsModule } from '../src/config/generate.js';
import { replaceBlock } from './readme-blocks.js';

const path = 'README.md'; // run from the repository root
let readme = readFileSync(path, 'utf8');
readme = replaceBlock(readme, 'repo-config', repoConfigTable());
readme = replaceBlock(readme, 'operator-env', operatorEnvTable());
writeFileSync(path, readme);
writeFileSync('src/config/defaults.ts', defaultsModule());
process.stdout.write('README.md: configuration tables regenerated; src/config/defaults.ts regenerated\n');
