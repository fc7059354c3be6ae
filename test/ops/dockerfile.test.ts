// DEPLOY TEST, WITHOUT DOCKER: runs the Dockerfile's own instructions on this machine. No Docker engine runs
// here, so this test parses the Dockerfile, reproduces each stage in a temporary directory (COPY from the
// working tree's tracked and unignored files, WORKDIR, ENV) and runs its commands, then starts the final
// stage's CMD, runs its HEALTHCHECK command and stops it with SIGTERM.
//
// `npm ci` runs for real in both stages, against the committed package-lock.json and the npm registry (the
// machine's npm cache serves what it already holds): a lock file `npm ci` refuses fails this test, as it
// would fail `docker build`. The only substitutions:
// - `npm cache clean --force` is skipped (it would wipe this machine's npm cache; the image's cache is moot).
// - HOST and PORT of the final stage's ENV are overridden (127.0.0.1 and a free port) for the test.
// - USER, EXPOSE and the HEALTHCHECK timing flags have no effect outside a container.
// Everything else (`npm run build`, the CMD, the HEALTHCHECK command) runs exactly as written, on the Node
// release line the FROM image names (scripts/node-runtime.ts installs it from the npm registry when this
// machine runs another): its folder comes first on PATH, so `node`, `npm` and what npm runs all use it.
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { nodeBinDir } from '../../scripts/node-runtime.js';
import { endOfLifePassed, SUPPORTED_NODE } from '../../src/runtime.js';
import { NODE_WARNING, runProcess } from '../support/process.js';
import { freePort } from '../support/redis.js';
import { testPrefix, testPrivateKey, testRedisUrl, WEBHOOK_SECRET } from '../server/stack.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

interface Stage {
  /** The FROM image, e.g. `node:24-slim`. */
  image: string;
  name?: string;
  workdir: string;
  env: Record<string, string>;
  /** In order: what the stage does. */
  steps: (
    { kind: 'copy'; from?: string; sources: string[]; dest: string } | { kind: 'run'; command: string }
  )[];
  cmd?: string[];
  healthcheck?: string[];
}

/** A small Dockerfile reader: enough for this project's Dockerfile (line continuations, JSON exec forms). */
export function parseDockerfile(text: string): Stage[] {
  const lines = text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const stages: Stage[] = [];
  let stage: Stage | undefined;
  for (const line of lines) {
    const [, instr, rest] = /^(\w+)\s+(.*)$/.exec(line) ?? [];
    if (!instr || rest === undefined) throw new Error(`Dockerfile: cannot read "${line}"`);
    const op = instr.toUpperCase();
    if (op === 'FROM') {
      stage = {
        image: rest.split(/\s+/)[0]!,
        name: /\bAS\s+(\S+)/i.exec(rest)?.[1],
        workdir: '/',
        env: {},
        steps: [],
      };
      stages.push(stage);
      continue;
    }
    if (!stage) throw new Error(`Dockerfile: ${op} before FROM`);
    if (op === 'WORKDIR') stage.workdir = rest;
    else if (op === 'ENV') {
      for (const m of rest.matchAll(/(\w+)=("[^"]*"|\S+)/g)) stage.env[m[1]!] = m[2]!.replace(/^"|"$/g, '');
    } else if (op === 'COPY') {
      const words = rest.split(/\s+/);
      const from = words[0]?.startsWith('--from=') ? words.shift()!.slice('--from='.length) : undefined;
      const dest = words.pop()!;
      stage.steps.push({ kind: 'copy', from, sources: words, dest });
    } else if (op === 'RUN') stage.steps.push({ kind: 'run', command: rest });
    else if (op === 'CMD') stage.cmd = JSON.parse(rest) as string[];
    else if (op === 'HEALTHCHECK') {
      const m = /\bCMD\s+(\[.*\])\s*$/.exec(rest);
      if (!m) throw new Error('Dockerfile: HEALTHCHECK needs an exec-form CMD');
      stage.healthcheck = JSON.parse(m[1]!) as string[];
    } else if (!['USER', 'EXPOSE', 'LABEL', 'ARG'].includes(op)) {
      throw new Error(`Dockerfile: ${op} is not handled by this test; teach it`);
    }
  }
  return stages;
}

/** The build context as `docker build .` would send it: tracked and unignored files that exist. */
function contextFiles(): string[] {
  return execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], {
    cwd: root,
    encoding: 'utf8',
  })
    .split('\0')
    .filter((p) => p && existsSync(join(root, p)) && statSync(join(root, p)).isFile());
}

function copyInto(
  stageDir: string,
  workdir: string,
  sources: string[],
  dest: string,
  fromDir: string,
  files?: string[],
) {
  const target = join(stageDir, dest.startsWith('/') ? dest : join(workdir, dest));
  for (const source of sources) {
    const src = source.replace(/^\.\//, '').replace(/\/$/, '');
    const matches = files
      ? files.filter((f) => f === src || f.startsWith(`${src}/`))
      : existsSync(join(fromDir, src))
        ? [src]
        : [];
    if (matches.length === 0) throw new Error(`COPY ${source}: nothing in the build context`);
    for (const file of matches) {
      const isDirCopy = file !== src;
      const out =
        isDirCopy || dest.endsWith('/') || sources.length > 1
          ? join(target, isDirCopy ? relative(src, file) : file.split('/').pop()!)
          : target;
      mkdirSync(dirname(out), { recursive: true });
      cpSync(join(fromDir, file), out, { recursive: true });
    }
  }
}

/** The Node major version of an official `node:<version>[-variant]` image. */
function imageNodeMajor(image: string): number {
  const m = /^node:(\d+)(?:[.-]|$)/.exec(image);
  if (!m) throw new Error(`FROM ${image}: not an official node image with a version`);
  return Number(m[1]);
}

async function runStep(dir: string, env: NodeJS.ProcessEnv, command: string, log: string[]): Promise<void> {
  for (const part of command.split(/\s*&&\s*/)) {
    if (/^npm cache clean\b/.test(part)) log.push(`skipped: ${part}`);
    else {
      // runProcess does not block this test worker: a build step can take over a minute on a busy machine, and a
      // worker blocked that long misses vitest's 60-second RPC deadline (an unhandled error fails the run).
      const r = await runProcess('sh', ['-c', part], { cwd: dir, env });
      if (r.code !== 0) throw new Error(`RUN ${part} failed (${r.code}):\n${r.stdout}\n${r.stderr}`);
      log.push(`ran: ${part}`);
    }
  }
}

const temp: string[] = [];
afterAll(() => {
  for (const dir of temp) rmSync(dir, { recursive: true, force: true });
});

describe('Dockerfile (its commands run without Docker)', () => {
  it(
    'builds, starts, answers its HEALTHCHECK and stops cleanly on SIGTERM',
    { timeout: 400_000 },
    async () => {
      const stages = parseDockerfile(readFileSync(join(root, 'Dockerfile'), 'utf8'));
      expect(stages).toHaveLength(2);
      const [build, final] = stages as [Stage, Stage];
      expect(build.name).toBe('build');
      expect(final.cmd).toBeDefined();
      expect(final.healthcheck).toBeDefined();
      expect(final.env.HOST).toBe('0.0.0.0');

      // Both stages on the supported Node line, which has not reached its end of life; the commands below
      // run on that line, whichever Node runs this test.
      const majors = stages.map((s) => imageNodeMajor(s.image));
      expect(majors).toEqual([SUPPORTED_NODE, SUPPORTED_NODE]);
      expect(endOfLifePassed(`${SUPPORTED_NODE}.0.0`, new Date())).toBeUndefined();
      const nodeDir = await nodeBinDir(SUPPORTED_NODE);
      const PATH = [nodeDir, process.env.PATH ?? ''].join(delimiter);
      const versions = await runProcess('npm', ['version', '--json'], {
        cwd: root,
        env: { ...process.env, PATH },
      });
      expect(versions.code, versions.stderr).toBe(0);
      expect((JSON.parse(versions.stdout) as { node: string }).node).toMatch(
        new RegExp(`^${SUPPORTED_NODE}\\.`),
      );

      const files = contextFiles();
      const dirs = new Map<string, string>();
      const log: string[] = [];
      for (const [i, stage] of stages.entries()) {
        // Each stage's filesystem root; only its WORKDIR is used (this image's instructions stay inside it).
        const fsRoot = mkdtempSync(join(tmpdir(), `docs-fix-docker-${i}-`));
        temp.push(fsRoot);
        const work = join(fsRoot, stage.workdir);
        mkdirSync(work, { recursive: true });
        for (const step of stage.steps) {
          if (step.kind === 'run')
            await runStep(work, { ...process.env, ...stage.env, PATH }, step.command, log);
          else if (step.from) {
            const fromRoot = dirs.get(step.from);
            if (!fromRoot) throw new Error(`COPY --from=${step.from}: no such stage`);
            copyInto(
              fsRoot,
              stage.workdir,
              step.sources.map((s) => s.replace(/^\//, '')),
              step.dest,
              fromRoot,
            );
          } else copyInto(fsRoot, stage.workdir, step.sources, step.dest, root, files);
        }
        if (stage.name) dirs.set(stage.name, fsRoot);
        dirs.set(String(i), fsRoot);
      }
      const app = join(dirs.get('1')!, final.workdir);
      expect(existsSync(join(app, 'dist/src/server.js'))).toBe(true);
      expect(existsSync(join(app, 'dist/src/cache/scripts'))).toBe(true);
      // The final stage has production dependencies only.
      expect(existsSync(join(app, 'node_modules/probot'))).toBe(true);
      expect(existsSync(join(app, 'node_modules/vitest'))).toBe(false);
      expect(existsSync(join(app, 'node_modules/typescript'))).toBe(false);

      const port = await freePort();
      const env: NodeJS.ProcessEnv = {
        PATH,
        ...final.env,
        HOST: '127.0.0.1',
        PORT: String(port),
        REDIS_URL: testRedisUrl(),
        DOCS_FIX_REDIS_PREFIX: testPrefix(),
        WORKER_CONCURRENCY: '0',
        APP_ID: '12345',
        PRIVATE_KEY: testPrivateKey(),
        WEBHOOK_SECRET,
        LOG_LEVEL: 'warn',
      };
      const [cmd, ...args] = final.cmd!;
      const server = spawn(cmd!, args, { cwd: app, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      server.stdout!.on('data', (d: Buffer) => (output += d.toString()));
      server.stderr!.on('data', (d: Buffer) => (output += d.toString()));
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
        server.once('exit', (code, signal) => resolve({ code, signal })),
      );
      try {
        const [hcCmd, ...hcArgs] = final.healthcheck!;
        const healthcheck = () => runProcess(hcCmd!, hcArgs, { cwd: app, env, timeoutMs: 10_000 });
        const deadline = Date.now() + 30_000;
        let status = 1;
        while (Date.now() < deadline) {
          if (server.exitCode !== null) throw new Error(`the CMD exited (${server.exitCode}):\n${output}`);
          status = (await healthcheck()).code;
          if (status === 0) break;
          await new Promise((r) => setTimeout(r, 300));
        }
        expect(status, `HEALTHCHECK never passed; server output:\n${output}`).toBe(0);
        const res = await fetch(`http://127.0.0.1:${port}/metrics`);
        expect(res.status).toBe(200);
        const metrics = await res.text();
        expect(metrics).toContain('docs_fix_queue_jobs');
        // The CMD ran on the image's Node line, and had no end-of-life warning to give.
        expect(metrics).toMatch(
          new RegExp(`^docs_fix_process_nodejs_version_info\\{[^}]*major="${SUPPORTED_NODE}"`, 'm'),
        );
        expect(output).not.toMatch(/end of life/);
        expect(output, 'a runtime warning from Node').not.toMatch(NODE_WARNING);

        server.kill('SIGTERM');
        const { code, signal } = await exited;
        expect({ code, signal }, output).toEqual({ code: 0, signal: null });
        // And the HEALTHCHECK notices it is gone.
        expect((await healthcheck()).code).toBe(1);
      } finally {
        if (server.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
      }
      expect(log.filter((l) => l.startsWith('skipped'))).toEqual(['skipped: npm cache clean --force']);
      expect(log).toEqual(
        expect.arrayContaining([
          'ran: npm ci --no-audit --no-fund --ignore-scripts',
          'ran: npm ci --omit=dev --no-audit --no-fund --ignore-scripts',
          'ran: npm run build',
        ]),
      );
    },
  );
});
