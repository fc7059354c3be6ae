// Which Node.js docs-fix runs on: end-of-life dates, the start-up warning, and that this suite runs on the
// Node it was asked to (CI runs it on the machine's Node and again on Node 24 through scripts/node-runtime.ts).
import { execFileSync } from 'node:child_process';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/log.js';
import { endOfLifePassed, NODE_END_OF_LIFE, SUPPORTED_NODE, warnIfEndOfLife } from '../src/runtime.js';

const day = (iso: string) => new Date(`${iso}T00:00:00Z`);

describe('Node.js end of life', () => {
  it('is passed from the day a line reaches it, and not before', () => {
    expect(endOfLifePassed('20.20.2', day('2026-04-29'))).toBeUndefined();
    expect(endOfLifePassed('20.20.2', day('2026-04-30'))).toBe('2026-04-30');
    expect(endOfLifePassed('v20.18.1', day('2026-12-05'))).toBe('2026-04-30');
    expect(endOfLifePassed('23.11.0', day('2026-12-05'))).toBe('2025-06-01');
    expect(endOfLifePassed('22.12.0', day('2026-12-05'))).toBeUndefined();
    expect(endOfLifePassed('22.12.0', day('2027-05-01'))).toBe('2027-04-30');
  });

  it('knows the supported line, which ends after the older LTS lines', () => {
    const supported = NODE_END_OF_LIFE[SUPPORTED_NODE];
    expect(supported).toMatch(/^\d{4}-04-30$/);
    expect(endOfLifePassed(`${SUPPORTED_NODE}.0.0`, day('2027-12-31'))).toBeUndefined();
    expect(endOfLifePassed(`${SUPPORTED_NODE}.0.0`, day(supported!))).toBe(supported);
    expect(Date.parse(supported!)).toBeGreaterThan(Date.parse(NODE_END_OF_LIFE[22]!));
  });

  it('says nothing about a line it has no date for (a newer one, or not a version)', () => {
    expect(endOfLifePassed('26.10.0', day('2030-01-01'))).toBeUndefined();
    expect(endOfLifePassed('not a version', day('2030-01-01'))).toBeUndefined();
  });

  it('is logged once as a warning naming the version, the date and the supported line', () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(chunk.toString());
        cb();
      },
    });
    const log = createLogger({ level: 'info', destination });
    warnIfEndOfLife(log, '20.20.2', day('2026-12-05'));
    warnIfEndOfLife(log, `${SUPPORTED_NODE}.1.0`, day('2026-12-05'));
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(line).toMatchObject({
      level: 40,
      node: '20.20.2',
      endOfLife: '2026-04-30',
      supported: SUPPORTED_NODE,
    });
    expect(line.msg).toBe(
      `Node.js 20.20.2 reached its end of life on 2026-04-30 and gets no security fixes: run docs-fix on Node ${SUPPORTED_NODE} (the image's runtime)`,
    );
  });
});

describe('this test run', () => {
  // Tests start `node`, `npm` and `npx` through PATH and the built CLI through process.execPath: both must
  // be the same Node, or a run "on Node 24" would test some of its commands on another.
  it('starts the same Node through PATH as runs the tests', () => {
    expect(execFileSync('node', ['--version'], { encoding: 'utf8' }).trim()).toBe(process.version);
  });

  it.runIf(process.env.DOCS_FIX_EXPECT_NODE)(
    'runs on the Node line it was asked to (DOCS_FIX_EXPECT_NODE)',
    () => {
      expect(process.versions.node.split('.')[0]).toBe(process.env.DOCS_FIX_EXPECT_NODE);
    },
  );
});
