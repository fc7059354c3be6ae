// The README's fleet figures and sizing are generated from bench/fleet.json and bench/results.json, never typed.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fleetMarkdown, fleetSizing, SIZING, type FleetReport } from '../../scripts/bench/fleet-report.js';
import { readBlock } from '../../scripts/readme-blocks.js';

const root = new URL('../../', import.meta.url);
const readme = readFileSync(new URL('README.md', root), 'utf8');
const fleetPath = new URL('bench/fleet.json', root);

function block(name: string): string {
  return readBlock(readme, name);
}

describe('README fleet figures', () => {
  it('are what bench/fleet.json and bench/results.json give (regenerate with npm run bench:fleet)', () => {
    expect(existsSync(fleetPath), 'bench/fleet.json: run npm run bench:fleet').toBe(true);
    const report = JSON.parse(readFileSync(fleetPath, 'utf8')) as FleetReport;
    const results = JSON.parse(readFileSync(new URL('bench/results.json', root), 'utf8')) as {
      engine: Parameters<typeof fleetSizing>[1];
    };
    expect(block('fleet')).toBe(fleetMarkdown(report));
    expect(block('fleet-sizing')).toBe(fleetSizing(report, results.engine));
    // Every configuration measured: 1, 2 and 4 processes on one Redis and on the cluster.
    expect(report.runs.map((r) => `${r.target}:${r.processes}`)).toEqual([
      'redis:1',
      'redis:2',
      'redis:4',
      'cluster:1',
      'cluster:2',
      'cluster:4',
    ]);
  });

  it('derive the sizing from the figures: twice the bytes per entry, twice the memory', () => {
    const report = JSON.parse(readFileSync(fleetPath, 'utf8')) as FleetReport;
    const corpus = { files: 100, distinctUnits: 2000, cold: { changedLines: 50 } };
    const gib = (text: string): number => Number(/\*\*([\d,.]+) GiB\*\* on the masters/.exec(text)![1]!.replace(/,/g, ''));
    const once = gib(fleetSizing(report, corpus));
    const doubled = {
      ...report,
      memory: {
        ...report.memory,
        bytesPerFixpoint: 2 * report.memory.bytesPerFixpoint,
        bytesPerRewrite: 2 * report.memory.bytesPerRewrite,
      },
    };
    expect(gib(fleetSizing(doubled, corpus))).toBeCloseTo(2 * once, 0);
    expect(fleetSizing(report, corpus)).toContain(`${SIZING.pushesPerSecond} pushes/s`);
  });
});
