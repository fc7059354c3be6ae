import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import {
  BENCH_END,
  BENCH_START,
  goalVerdicts,
  markdownReport,
  portablePath,
  replaceGenerated,
  scaleSvg,
  type BenchResults,
} from '../../scripts/bench/report.js';
import type { EngineFigures, PushFigures, ScaleCase, ScaleResult } from '../../scripts/bench/scale.js';

const MiB = 2 ** 20;

function figures(ms: number, modelLines: number, lines: number): EngineFigures {
  return {
    ms,
    chunks: 1,
    files: Math.ceil(lines / 70),
    lines,
    editableLines: Math.round(lines * 0.4),
    distinctUnits: Math.round(lines * 0.35),
    modelLines,
    modelRequests: Math.ceil(modelLines / 40),
    tokens: modelLines * 50,
    changedLines: Math.round(modelLines / 50),
    fixpointHits: 0,
    rewriteHits: 0,
  };
}

function push(label: string, ms: number, changed: number, modelLines = changed): PushFigures {
  return {
    ...figures(ms, modelLines, 300),
    label,
    changedInputLines: changed,
    touchedFiles: 5,
    expectedModelLines: changed,
    rawParseMs: ms / 2,
    ratioToRawParse: 2,
  };
}

function scaleCase(lines: number, opts: { warmRatio?: number; rss?: number; fixedMs?: number } = {}): ScaleCase {
  const raw = lines / 10;
  const warmRatio = opts.warmRatio ?? 1.2;
  return {
    targetLines: lines,
    store: 'embedded',
    files: Math.ceil(lines / 70),
    bytes: lines * 38,
    lines,
    rawParseMs: raw,
    cold: { ...figures(raw * 2, lines * 0.35, lines), ratioToRawParse: 2 },
    warm: { ...figures(raw * warmRatio, 0, lines), ratioToRawParse: warmRatio },
    warmOnOutput: { ...figures(raw * 0.9, 0, lines), ratioToRawParse: 0.9 },
    pushes: [push('fixed', opts.fixedMs ?? 40, 20), push('1%', lines / 100, lines / 100)],
    peakRssBytes: opts.rss ?? 500 * MiB,
    wallMs: raw * 6,
  };
}

function scale(cases: ScaleCase[]): ScaleResult {
  return {
    source: '/corpus',
    model: 'sim',
    chunkLines: 100_000,
    rounds: 3,
    cases,
    baselineRssBytes: 200 * MiB,
    peakRssBytes: Math.max(...cases.map((c) => c.peakRssBytes)),
    totalMs: 1000,
  };
}

function results(over: Partial<BenchResults> = {}): BenchResults {
  return {
    date: '2025-01-02T03:04:05.000Z',
    machine: { cpu: 'Test CPU', cores: 2, memoryBytes: 24 * 2 ** 30, node: 'v20.18.1', platform: 'linux' },
    command: 'npm run bench',
    start: {
      rounds: 20,
      loadAverage: 1.2,
      node: { medianMs: 50, cpuMedianMs: 50 },
      version: { medianMs: 70, ratioToNode: { wall: 1.4, cpu: 1.4 } },
      checkWarm: { medianMs: 120, ratioToNode: { wall: 2.4, cpu: 2.4 } },
    },
    units: {
      files: 10,
      lineCold: { units: 120, modelLines: 110, modelRequests: 3, tokens: 7000, changedLines: 11 },
      proseCold: { units: 90, distinctUnits: 80, modelLines: 112, modelRequests: 3, tokens: 6800, changedLines: 12 },
      push: {
        changedLines: 20,
        line: { modelLines: 20, tokens: 1700 },
        prose: { modelLines: 80, tokens: 6000, rerunModelUnits: 0, rerunChangedLines: 0 },
        tokensProseToLine: 3.53,
      },
      sentenceCase: { where: 'rust-lang__book', files: 5, damagedContinuationLines: { line: 800, prose: 0 } },
    },
    offline: {
      rawParseCpuMs: 1000,
      offlineColdCpuMs: 500,
      splitToUnitsCpuMs: 1000,
      coldRunVsRawParse: 1.5,
      lintCalls: 3,
      fixpointRate: 1,
      changedUnits: 40,
    },
    quality: {
      files: 30,
      proseLines: 1000,
      injected: 80,
      results: [
        {
          provider: 'offline',
          classes: {
            misspelling: { injected: 20, fixed: 17, recall: 0.85 },
            doubled: { injected: 20, fixed: 20, recall: 1 },
          },
          untouchedProseLines: 920,
          falseEdits: 3,
          judgedTypos: 3,
          wrongEdits: 0,
          wrongEditsPer1000: 0,
        },
      ],
    },
    split: { files: 10, bytes: 1e6, rawMs: 100, splitJoinMs: 120, rawMBps: 10, splitJoinMBps: 8.33, ratio: 1.2 },
    cache: {
      redisLookups: { keys: 100_000, batch: 500, storeLookupsPerSecond: 400_000, rawMgetLookupsPerSecond: 500_000, ratio: 0.8 },
      embedded: { keys: 100_000, lookupsPerSecond: 1_500_000 },
      memoryNoPolicy: {
        fixpoints: 1_000_000,
        bytesPerFixpoint: 80,
        bytesPerRewrite: 150,
        rewriteValueBytes: 60,
        bytesPerRewriteBeyondValue: 90,
      },
    },
    scale: scale([scaleCase(1000), scaleCase(10_000), scaleCase(1_000_000, { rss: 800 * MiB })]),
    skipped: [],
    ...over,
  };
}

const verdict = (r: BenchResults, goal: RegExp): string | undefined =>
  goalVerdicts(r).find((v) => goal.test(v.goal))?.verdict;

describe('goal verdicts follow the numbers', () => {
  it('marks every goal reached when the figures are within them', () => {
    expect(goalVerdicts(results()).filter((v) => v.verdict !== 'reached').map((v) => v.goal)).toEqual([
      'webhook acknowledgement p99 < 100 ms',
    ]);
  });

  it('start-up, sentence-case damage, offline speed and quality: not reached past their goals', () => {
    const base = results();
    expect(
      verdict(results({ start: { ...base.start!, checkWarm: { medianMs: 200, ratioToNode: { wall: 3.2 } } } }), /docs-fix --version/),
    ).toBe('not reached');
    const u = base.units!;
    const damaged = { ...u, sentenceCase: { ...u.sentenceCase, damagedContinuationLines: { line: 800, prose: 1 } } };
    expect(verdict(results({ units: damaged }), /sentence-case/)).toBe('not reached');
    expect(verdict(results({ offline: { ...base.offline!, coldRunVsRawParse: 3.5 } }), /cold offline run/)).toBe(
      'not reached',
    );
    const q = base.quality!;
    const wrong = { ...q, results: [{ ...q.results[0]!, wrongEdits: 2, wrongEditsPer1000: 2.17 }] };
    expect(verdict(results({ quality: wrong }), /offline editor: recall/)).toBe('not reached');
    expect(verdict(results({ quality: undefined }), /offline editor: recall/)).toBe('not measured');
  });

  it('warm run over 1.5x raw parse at any size is not reached', () => {
    const r = results({ scale: scale([scaleCase(1000), scaleCase(10_000, { warmRatio: 1.6 })]) });
    expect(verdict(r, /^warm run/)).toBe('not reached');
  });

  it('RedisStore below half of raw MGET is not reached', () => {
    const base = results();
    const r = results({ cache: { ...base.cache, redisLookups: { ...base.cache!.redisLookups!, ratio: 0.45 } } });
    expect(verdict(r, /RedisStore/)).toBe('not reached');
  });

  it('peak RSS: reached under 1 GiB at 1M lines, not reached over it, not measured without a 1M case', () => {
    expect(verdict(results(), /peak RSS/)).toBe('reached');
    const big = results({ scale: scale([scaleCase(1000), scaleCase(1_000_000, { rss: 1100 * MiB })]) });
    expect(verdict(big, /peak RSS/)).toBe('not reached');
    const small = results({ scale: scale([scaleCase(1000), scaleCase(100_000)]) });
    expect(verdict(small, /peak RSS/)).toBe('not measured');
  });

  it('incremental: not reached when model lines differ from the distinct changed lines or the same push slows with size', () => {
    const off = scaleCase(10_000);
    off.pushes[1] = push('1%', 100, 100, 101);
    expect(verdict(results({ scale: scale([scaleCase(1000), off]) }), /incremental/)).toBe('not reached');
    const slow = results({ scale: scale([scaleCase(1000, { fixedMs: 40 }), scaleCase(1_000_000, { fixedMs: 200 })]) });
    expect(verdict(slow, /incremental/)).toBe('not reached');
    expect(verdict(results(), /incremental/)).toBe('reached');
  });

  it('a missing bench is not measured, never reached', () => {
    const r = results({ split: undefined, cache: undefined });
    expect(verdict(r, /split\+join/)).toBe('not measured');
    expect(verdict(r, /RedisStore/)).toBe('not measured');
    expect(verdict(r, /webhook/)).toBe('not measured');
    expect(verdict(results({ webhooks: { ack: { p99Ms: 42 } } }), /webhook/)).toBe('reached');
  });
});

describe('markdownReport', () => {
  it('holds the machine, the figures beside their references, and the verdicts', () => {
    const r = results({ scale: scale([scaleCase(1000), scaleCase(10_000, { warmRatio: 1.6 })]) });
    const md = markdownReport(r);
    expect(md).toContain('Test CPU (2 cores, 24,576 MiB)');
    expect(md).toContain('2025-01-02');
    expect(md).toMatch(/\| split \+ join \(corpus\) \| 120 ms \(8\.33 MB\/s\) \| raw parse 100 ms \(10 MB\/s\) \| 1\.2× \|/);
    expect(md).toMatch(/RedisStore lookups ≥ 50% of raw MGET \| 80% \| reached \|/);
    expect(md).toMatch(/warm run ≤ 1\.5× raw parse.*1k 1\.2×, 10k 1\.6× \| \*\*not reached\*\* \|/);
    expect(md).toContain('1%: 100, 5, 100 ms (50 ms), 100 = 100');
    expect(md).toContain('![time and model lines against repository size](bench/scale.svg)');
  });

  it('names the corpus and the command portably: relative to the repository, or by the variable', () => {
    const r = results({
      command: 'BENCH_ROUNDS=1 DOCS_FIX_CORPUS=/work/shared/corpus npm run bench',
      corpus: '/work/shared/corpus',
    });
    const md = markdownReport(r, 'bench/scale.svg', '/work/main');
    expect(md).toContain('with `BENCH_ROUNDS=1 DOCS_FIX_CORPUS=../shared/corpus npm run bench` over `../shared/corpus`');
    expect(md).not.toContain('/work/');
    const elsewhere = markdownReport(
      results({ command: 'DOCS_FIX_CORPUS=/data/docs npm run bench', corpus: '/data/docs' }),
      'bench/scale.svg',
      '/home/me/docs-fix',
    );
    expect(elsewhere).toContain('with `DOCS_FIX_CORPUS=$DOCS_FIX_CORPUS npm run bench` over `$DOCS_FIX_CORPUS`');
    expect(portablePath('/home/me/docs-fix/bench', '/home/me/docs-fix')).toBe('bench');
  });

  it('says when each bench finished when the results were merged from several runs', () => {
    const md = markdownReport(results({ runs: { split: '2025-01-01T10:00:00.000Z', scale: '2025-01-02T11:30:00.000Z' } }));
    expect(md).toContain('Finished: split 2025-01-01 10:00 UTC, scale 2025-01-02 11:30 UTC.');
  });

  it('renders the webhooks bench: latency, and jobs/s against one worker process', () => {
    const webhooks = {
      burst: { deliveries: 200, concurrency: 16, ackP50Ms: 43, ackP99Ms: 121, ackMaxMs: 136 },
      workers: [
        { processes: 1, jobs: 30, jobsPerSecond: 9 },
        { processes: 2, jobs: 30, jobsPerSecond: 13.5 },
      ],
    };
    const r = results({ webhooks });
    const md = markdownReport(r);
    expect(md).toContain('| webhook acknowledgement, burst of 200 (16 in flight) | p50 43 ms, p99 121 ms, max 136 ms |');
    expect(md).toContain('| push jobs with 2 worker processes (30 jobs) | 13.5 jobs/s | 1 process 9 jobs/s | 1.5× |');
    expect(verdict(r, /webhook/)).toBe('not reached');
  });

  it('names the skipped benches', () => {
    expect(markdownReport(results({ skipped: [{ name: 'webhooks', reason: 'not written yet' }] }))).toContain(
      'Not measured in this run: webhooks (not written yet).',
    );
  });
});

describe('replaceGenerated', () => {
  it('appends a Performance section once, then replaces only what is between the markers', () => {
    const readme = '# docs-fix\n\nIntro.\n';
    const first = replaceGenerated(readme, 'table one');
    expect(first).toBe(`# docs-fix\n\nIntro.\n\n## Performance\n\n${BENCH_START}\ntable one\n${BENCH_END}\n`);
    const edited = `${first}\n## Later\n\nMore.\n`;
    const second = replaceGenerated(edited, 'table two');
    expect(second).toBe(edited.replace('table one', 'table two'));
  });
});

describe('scaleSvg', () => {
  it('draws one path per series with finite coordinates, in balanced tags', () => {
    const svg = scaleSvg(results().scale!);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).not.toMatch(/NaN|Infinity|undefined/);
    expect(svg.match(/<path /g)).toHaveLength(10);
    expect(svg.match(/<g>/g)?.length).toBe(svg.match(/<\/g>/g)?.length);
    expect(svg).toContain('same 20-line push');
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
  });
});

describe('the README performance section', () => {
  it('is what markdownReport makes of bench/results.json (regenerate with BENCH_REPORT_ONLY=1 npm run bench)', () => {
    const root = new URL('../..', import.meta.url).pathname;
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const results = JSON.parse(readFileSync(new URL('../../bench/results.json', import.meta.url), 'utf8')) as BenchResults;
    const section = readme.slice(readme.indexOf(BENCH_START) + BENCH_START.length, readme.indexOf(BENCH_END)).trim();
    expect(section).toBe(markdownReport(results, 'bench/scale.svg', root).trim());
    // Generated text names no machine's folders.
    expect(section).not.toMatch(/\/(work|home|tmp|Users)\//);
  });
});
