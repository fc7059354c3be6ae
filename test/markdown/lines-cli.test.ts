// `docs-fix lines`: table/plain/JSON output and the error for a missing file.
import { Command } from 'commander';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { InputFileError, registerLines } from '../../src/cli/lines.js';

const dir = mkdtempSync(join(tmpdir(), 'docs-fix-lines-'));
const file = join(dir, 'a.md');
writeFileSync(file, '# Title\n\n```\ncode\n```\n\nA paragraph\nwrapped over\nthree lines.\n');

async function run(...args: string[]): Promise<string> {
  const chunks: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    chunks.push(String(chunk));
    return true;
  });
  const program = new Command('docs-fix').exitOverride();
  registerLines(program);
  await program.parseAsync(['node', 'docs-fix', 'lines', ...args]);
  return chunks.join('');
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('docs-fix lines', () => {
  it('prints tab-separated rows when stdout is not a terminal', async () => {
    const out = await run(file);
    expect(out.split('\n')).toEqual([
      '1\theading\teditable\tu0\tTitle',
      '2\tblank\tfrozen:blank\t-\t',
      '3\tcode\tfrozen:code\t-\t```',
      '4\tcode\tfrozen:code\t-\tcode',
      '5\tcode\tfrozen:code\t-\t```',
      '6\tblank\tfrozen:blank\t-\t',
      '7\tparagraph\teditable\tu1\tA paragraph',
      '8\tparagraph\teditable\tu1\twrapped over',
      '9\tparagraph\teditable\tu1\tthree lines.',
      '',
    ]);
  });

  it('shows lines switched off by an ignore comment as frozen:disabled, dialect syntax as frozen:dialect', async () => {
    const ignored = join(dir, 'ignored.md');
    writeFileSync(ignored, '<!-- docs-fix-disable-next-line -->\nLeft alone.\n\n!!! note\n\n    Edited.\n');
    const out = await run(ignored);
    expect(out.split('\n')).toEqual([
      '1\thtml\tfrozen:html\t-\t<!-- docs-fix-disable-next-line -->',
      '2\tparagraph\tfrozen:disabled\t-\tLeft alone.',
      '3\tblank\tfrozen:blank\t-\t',
      '4\tdialect\tfrozen:dialect\t-\t!!! note',
      '5\tblank\tfrozen:blank\t-\t',
      '6\tparagraph\teditable\tu0\tEdited.',
      '',
    ]);
  });

  it('prints the path first when several files are named', async () => {
    const out = await run(file, file);
    expect(out.split('\n')[0]).toBe(`${file}\t1\theading\teditable\tu0\tTitle`);
  });

  it('prints JSON with --json', async () => {
    const parsed = JSON.parse(await run('--json', file)) as {
      path: string;
      lines: { prefix: string; text: string; unit?: number }[];
    }[];
    // Every line of one unit carries the same unit number; frozen lines carry none.
    expect(parsed[0]?.lines.map((l) => l.unit)).toEqual([
      0,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      1,
      1,
      1,
    ]);
    expect(parsed[0]?.path).toBe(file);
    expect(parsed[0]?.lines[0]).toMatchObject({
      line: 1,
      kind: 'heading',
      editable: true,
      prefix: '# ',
      text: 'Title',
    });
  });

  it('names a missing file and asks for exit code 2', async () => {
    const missing = join(dir, 'missing.md');
    const error = await run(file, missing).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(InputFileError);
    expect((error as InputFileError).message).toBe(`${missing}: no such file`);
    expect((error as InputFileError).exitCode).toBe(2);
  });
});
