// npm run bench:start: how long the built `docs-fix` takes to start, against `node -e 0` measured in the same
// run (interleaved, so load on the machine hits every command alike). A pre-commit hook or an editor runs
// `docs-fix check` on every save: `--version` and a warm `check` of one small file (its content already a
// known fixpoint) should cost little more than starting node. Goal: each at most 3x `node -e 0`.
//
// Figures per command: median and minimum wall time, and median CPU time (user + system of the child, read
// from /proc/self/stat on Linux: less sensitive to other load than wall time). Prints a JSON object on its
// last line for `npm run bench`. BENCH_ROUNDS sets the rounds (at least 15).
import { spawnSync } from 'node:child_process';
import nodeModule from 'node:module';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, round } from './lib.js';

const here = dirname(fileURLToPath(import.meta.url));
/** dist/scripts/bench -> dist/src/cli.js */
const bin = join(here, '../../src/cli.js');
const example = join(here, '../../../examples/docs/guide/configuration.md');

/** Children's CPU time so far (user + system, ms), from /proc/self/stat; undefined where there is none. */
function childrenCpuMs(): number | undefined {
  if (!existsSync('/proc/self/stat')) return undefined;
  const stat = readFileSync('/proc/self/stat', 'utf8');
  // Fields after the command name (which may hold spaces) start at field 3; cutime and cstime are 16 and 17.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[13]) + Number(fields[14]);
  return (ticks * 1000) / 100; // USER_HZ is 100 on Linux
}

interface Sample {
  wallMs: number;
  cpuMs?: number;
}

function measure(args: readonly string[], cwd: string, expectCode: number, env: NodeJS.ProcessEnv = {}): Sample {
  const cpuBefore = childrenCpuMs();
  const start = performance.now();
  const out = spawnSync(process.execPath, args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, OPENAI_BASE_URL: '', OPENAI_API_KEY: '', ...env },
  });
  const wallMs = performance.now() - start;
  const cpuAfter = childrenCpuMs();
  if (out.status !== expectCode) {
    throw new Error(`node ${args.join(' ')}: exit ${out.status} (expected ${expectCode}):\n${out.stderr}`);
  }
  return cpuBefore === undefined || cpuAfter === undefined ? { wallMs } : { wallMs, cpuMs: cpuAfter - cpuBefore };
}

function summary(samples: readonly Sample[]) {
  const cpu = samples.flatMap((s) => (s.cpuMs === undefined ? [] : [s.cpuMs]));
  return {
    medianMs: round(median(samples.map((s) => s.wallMs)), 1),
    minMs: round(Math.min(...samples.map((s) => s.wallMs)), 1),
    ...(cpu.length > 0 ? { cpuMedianMs: round(median(cpu), 1) } : {}),
  };
}

function main(): void {
  if (!existsSync(bin)) throw new Error(`${bin} not found: run npm run build first`);
  // Start-up is cheap to repeat and noisy: at least 15 rounds, even when `npm run bench` asks for fewer.
  const rounds = Math.max(15, Number(process.env.BENCH_ROUNDS ?? 15));
  const work = mkdtempSync(join(tmpdir(), 'docs-fix-bench-start-'));
  try {
    const page = join(work, 'page.md');
    copyFileSync(example, page);
    const cache = ['--cache-dir', join(work, 'cache')];
    // Bring the page to its fixpoint with the default editor, then settle it: the next check is the warm one.
    measure([bin, 'fix', '--write', page, ...cache], work, 0);
    measure([bin, 'check', page, ...cache], work, 0);

    // On a Node with a compile cache (22.1+; the CLI turns it on, src/cli/compile-cache.ts), the same warm
    // check with it turned off, in the same rounds: what the cache saves.
    const compileCache = typeof (nodeModule as { enableCompileCache?: unknown }).enableCompileCache === 'function';
    const commands: Record<string, { args: string[]; code: number; env?: NodeJS.ProcessEnv }> = {
      node: { args: ['-e', '0'], code: 0 },
      version: { args: [bin, '--version'], code: 0 },
      checkWarm: { args: [bin, 'check', page, ...cache], code: 0 },
      ...(compileCache
        ? { checkWarmNoCompileCache: { args: [bin, 'check', page, ...cache], code: 0, env: { NODE_DISABLE_COMPILE_CACHE: '1' } } }
        : {}),
    };
    const samples: Record<string, Sample[]> = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));
    for (let r = 0; r < rounds; r += 1) {
      for (const [name, c] of Object.entries(commands)) samples[name]!.push(measure(c.args, work, c.code, c.env));
    }
    const node = summary(samples.node!);
    const version = summary(samples.version!);
    const checkWarm = summary(samples.checkWarm!);
    const noCache = compileCache ? summary(samples.checkWarmNoCompileCache!) : undefined;
    const ratioOf = (s: ReturnType<typeof summary>) => ({
      wall: round(s.medianMs / node.medianMs, 2),
      ...(s.cpuMedianMs !== undefined && node.cpuMedianMs ? { cpu: round(s.cpuMedianMs / node.cpuMedianMs, 2) } : {}),
    });
    const result = {
      rounds,
      loadAverage: round(loadavg()[0]!, 2),
      node,
      version: { ...version, ratioToNode: ratioOf(version) },
      checkWarm: { ...checkWarm, ratioToNode: ratioOf(checkWarm) },
      ...(noCache
        ? {
            checkWarmNoCompileCache: {
              ...noCache,
              ratioToNode: ratioOf(noCache),
              cachedToUncached: round(checkWarm.medianMs / noCache.medianMs, 2),
            },
          }
        : {}),
      nodeVersion: process.version,
      goal: 3,
    };
    const line = (name: string, s: ReturnType<typeof summary>, ratio?: { wall: number; cpu?: number }) =>
      `${name.padEnd(28)} median ${String(s.medianMs).padStart(7)} ms, min ${String(s.minMs).padStart(7)} ms` +
      (s.cpuMedianMs === undefined ? '' : `, cpu ${String(s.cpuMedianMs).padStart(6)} ms`) +
      (ratio ? `   ${ratio.wall}x node wall${ratio.cpu === undefined ? '' : `, ${ratio.cpu}x cpu`}` : '');
    process.stdout.write(
      [
        `start-up on Node ${process.version}, ${rounds} rounds interleaved, load average ${result.loadAverage} (goal: at most ${result.goal}x node -e 0)`,
        line('node -e 0', node),
        line('docs-fix --version', version, result.version.ratioToNode),
        line('docs-fix check (warm, 1 file)', checkWarm, result.checkWarm.ratioToNode),
        ...(result.checkWarmNoCompileCache
          ? [
              line('  the same, no compile cache', result.checkWarmNoCompileCache, result.checkWarmNoCompileCache.ratioToNode) +
                `; with the cache ${result.checkWarmNoCompileCache.cachedToUncached}x its time`,
            ]
          : []),
        '',
      ].join('\n'),
    );
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main();
