// npm run bench: every per-component benchmark, each in its own node process (so each has its own peak RSS
// and none inherits another's heap), then bench/results.json, bench/scale.svg and the README section.
// Env: BENCH_ONLY=scale,engine re-runs those and keeps the other figures from the existing results.json;
// BENCH_REPORT_ONLY=1 runs nothing and regenerates the README section and the plot from results.json.
// Each child prints a JSON object on its last line; its other output is passed through.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, platform, release, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  markdownReport,
  portableCommand,
  portablePath,
  replaceGenerated,
  scaleSvg,
  type BenchResults,
} from './report.js';
import type { ScaleResult } from './scale.js';

const BENCHES = ['split', 'cache', 'engine', 'scale', 'webhooks', 'start', 'units', 'offline', 'quality'] as const;
type BenchName = (typeof BENCHES)[number];

const here = dirname(fileURLToPath(import.meta.url));

function packageRoot(): string {
  let dir = here;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('package.json not found above the benchmark script');
    dir = parent;
  }
  return dir;
}

/** Runs one compiled bench, passing its output through, and returns the JSON object on its last line. */
function runBench(name: BenchName, env: NodeJS.ProcessEnv): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(here, `${name}.js`)], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      process.stdout.write(chunk);
    });
    child.once('error', reject);
    child.once('close', (code) => {
      const last = out.trimEnd().split('\n').at(-1) ?? '';
      if (code !== 0) return reject(new Error(`bench ${name} exited with code ${code}`));
      try {
        resolve(JSON.parse(last) as Record<string, unknown>);
      } catch {
        reject(new Error(`bench ${name}: expected a JSON object on the last line, got: ${last.slice(0, 200)}`));
      }
    });
  });
}

/** The command line that reproduces the run, with the settings that change what is measured. */
function commandLine(): string {
  const settings = Object.entries(process.env)
    .filter(([k, v]) => v && (k === 'DOCS_FIX_CORPUS' || k === 'ROUNDS' || k.startsWith('BENCH_')))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`);
  return [...settings, 'npm run bench'].join(' ');
}

function writeReport(root: string, results: BenchResults): string {
  if (results.scale) writeFileSync(join(root, 'bench', 'scale.svg'), scaleSvg(results.scale));
  const readmePath = join(root, 'README.md');
  const section = markdownReport(results, undefined, root);
  writeFileSync(readmePath, replaceGenerated(readFileSync(readmePath, 'utf8'), section));
  return section;
}

async function main(): Promise<void> {
  const root = packageRoot();
  const resultsPath = join(root, 'bench', 'results.json');
  if (process.env.BENCH_REPORT_ONLY) {
    const section = writeReport(root, JSON.parse(readFileSync(resultsPath, 'utf8')) as BenchResults);
    process.stdout.write(`${section}\nregenerated bench/scale.svg and the README performance section from bench/results.json\n`);
    return;
  }
  const only = process.env.BENCH_ONLY?.split(',').map((s) => s.trim()) as BenchName[] | undefined;
  const unknown = only?.filter((n) => !BENCHES.includes(n));
  if (unknown?.length) throw new Error(`BENCH_ONLY: unknown bench ${unknown.join(', ')}; expected some of ${BENCHES.join(', ')}`);
  const previous: Partial<BenchResults> & { runs?: Record<string, string> } =
    only && existsSync(resultsPath) ? JSON.parse(readFileSync(resultsPath, 'utf8')) : {};

  // Fewer rounds than the single benches' defaults, so the whole report takes minutes, not an hour.
  const env = { ...process.env, ROUNDS: process.env.ROUNDS ?? '3', BENCH_ROUNDS: process.env.BENCH_ROUNDS ?? '3' };
  const figures: Partial<Record<BenchName, Record<string, unknown>>> = {};
  const runs: Record<string, string> = { ...(previous.runs ?? {}) };
  const skipped: { name: string; reason: string }[] = [];
  for (const name of BENCHES) {
    if (only && !only.includes(name)) {
      const kept = previous[name];
      if (kept) figures[name] = kept as Record<string, unknown>;
      else skipped.push({ name, reason: 'not in BENCH_ONLY and no earlier figures' });
      continue;
    }
    if (!existsSync(join(here, `${name}.js`))) {
      process.stdout.write(`\nbench: skipping ${name}: scripts/bench/${name}.ts does not exist yet\n`);
      skipped.push({ name, reason: `scripts/bench/${name}.ts does not exist yet` });
      continue;
    }
    process.stdout.write(`\n=== bench:${name} ===\n`);
    const started = performance.now();
    try {
      figures[name] = await runBench(name, env);
      runs[name] = new Date().toISOString();
      process.stdout.write(`=== bench:${name} took ${Math.round((performance.now() - started) / 1000)} s ===\n`);
    } catch (err) {
      process.stdout.write(`bench: ${name} failed: ${(err as Error).message}\n`);
      skipped.push({ name, reason: `failed: ${(err as Error).message}` });
    }
  }

  const cpu = cpus();
  const results: BenchResults & { runs: Record<string, string> } = {
    date: new Date().toISOString(),
    machine: {
      cpu: cpu[0]?.model.trim() ?? 'unknown',
      cores: cpu.length,
      memoryBytes: totalmem(),
      node: process.version,
      platform: `${platform()} ${release()}`,
    },
    // Paths as the repository sees them (`../shared/corpus`), never one machine's folders.
    command: portableCommand(commandLine(), root),
    corpus: process.env.DOCS_FIX_CORPUS ? portablePath(process.env.DOCS_FIX_CORPUS, root) : undefined,
    split: figures.split as BenchResults['split'],
    cache: figures.cache as BenchResults['cache'],
    engine: figures.engine as BenchResults['engine'],
    scale: figures.scale as ScaleResult | undefined,
    webhooks: figures.webhooks,
    start: figures.start as BenchResults['start'],
    units: figures.units as BenchResults['units'],
    offline: figures.offline as BenchResults['offline'],
    quality: figures.quality as BenchResults['quality'],
    skipped,
    runs,
  };
  mkdirSync(dirname(resultsPath), { recursive: true });
  writeFileSync(resultsPath, `${JSON.stringify(results, null, 2)}\n`);
  const section = writeReport(root, results);
  process.stdout.write(`\n${section}\nwrote bench/results.json, bench/scale.svg and the README performance section\n`);
}

await main();
