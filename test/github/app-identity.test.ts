// The app's identity without a server: what the handlers can tell before and after the slug is known, and
// how the background lookup behaves when GitHub does not answer.
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createAppIdentity, type AppIdentityOptions } from '../../src/github/app-identity.js';

function logged(): { lines: Record<string, unknown>[]; log: AppIdentityOptions['log'] } {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      cb();
    },
  });
  return { lines, log: pino({ level: 'info' }, destination) };
}

/** A GET /app that fails `failures` times, then answers `slug`. */
function flakyLookup(
  slug: string,
  failures: number,
): { fetchSlug: () => Promise<string>; calls: () => number } {
  let calls = 0;
  return {
    fetchSlug: async () => {
      calls++;
      if (calls <= failures) throw Object.assign(new Error('Service Unavailable'), { status: 503 });
      return slug;
    },
    calls: () => calls,
  };
}

const bot = { login: 'docs-fix[bot]', type: 'Bot' };
const otherBot = { login: 'renovate[bot]', type: 'Bot' };
const person = { login: 'alice', type: 'User' };

describe('the app identity', () => {
  it('before the slug is known, recognises only a bot acting through this app', () => {
    const { log } = logged();
    const identity = createAppIdentity({ appId: 42, log, ...flakyLookup('docs-fix', 99) });
    expect(identity.login).toBeUndefined();
    expect(identity.isOwn(bot, { id: 42 })).toBe(true);
    expect(identity.isOwn(otherBot, { id: 7 })).toBe(false);
    expect(identity.isOwn(bot)).toBe(false);
    expect(identity.isOwn({ ...person }, { id: 42 })).toBe(false);
    expect(identity.isOwn(undefined)).toBe(false);
  });

  it('knows the bot by login from APP_SLUG, without asking', () => {
    const lookup = flakyLookup('docs-fix', 0);
    const identity = createAppIdentity({ appId: 42, slug: 'docs-fix', log: logged().log, ...lookup });
    expect(identity.login).toBe('docs-fix[bot]');
    expect(identity.isOwn(bot)).toBe(true);
    expect(identity.isOwn(otherBot, { id: 42 })).toBe(false);
    expect(lookup.calls()).toBe(0);
  });

  it('learns the slug from an installation event of this app, and ignores another app’s', () => {
    const identity = createAppIdentity({ appId: 42, log: logged().log, ...flakyLookup('x', 99) });
    identity.learn(7, 'someone-else');
    expect(identity.login).toBeUndefined();
    identity.learn(42, 'docs-fix');
    expect(identity.login).toBe('docs-fix[bot]');
  });

  it('resolve() asks once for concurrent callers, and asks again after a failure', async () => {
    const lookup = flakyLookup('docs-fix', 1);
    const identity = createAppIdentity({ appId: 42, log: logged().log, ...lookup });
    const first = await Promise.allSettled([identity.resolve(), identity.resolve()]);
    expect(first.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(lookup.calls()).toBe(1);
    expect(await identity.resolve()).toBe('docs-fix[bot]');
    expect(await identity.resolve()).toBe('docs-fix[bot]');
    expect(lookup.calls()).toBe(2);
  });

  it('start() retries in the background until GitHub answers, logging each failure', async () => {
    const { lines, log } = logged();
    let learned!: () => void;
    const done = new Promise<void>((resolve) => (learned = resolve));
    const lookup = flakyLookup('docs-fix', 3);
    const identity = createAppIdentity({
      appId: 42,
      log,
      retry: { initialMs: 1, maxMs: 4 },
      fetchSlug: async () => {
        const slug = await lookup.fetchSlug();
        queueMicrotask(learned);
        return slug;
      },
    });
    identity.start();
    await done;
    identity.stop();
    expect(identity.login).toBe('docs-fix[bot]');
    expect(lookup.calls()).toBe(4);
    expect(lines.filter((l) => String(l['msg']).startsWith('could not learn the app identity'))).toHaveLength(
      3,
    );
  });

  it('stop() ends the retries', async () => {
    const lookup = flakyLookup('docs-fix', 99);
    const identity = createAppIdentity({ appId: 42, log: logged().log, retry: { initialMs: 1 }, ...lookup });
    identity.start();
    identity.stop();
    const calls = lookup.calls();
    await new Promise((r) => setTimeout(r, 30));
    expect(lookup.calls()).toBe(calls);
  });

  it('takes GitHub’s slug over a mismatched APP_SLUG, and logs an error naming both', async () => {
    const { lines, log } = logged();
    const identity = createAppIdentity({
      appId: 42,
      slug: 'docs-fix-typo',
      log,
      ...flakyLookup('docs-fix', 0),
    });
    expect(await identity.resolve()).toBe('docs-fix-typo[bot]');
    identity.start();
    await new Promise((r) => setTimeout(r, 0));
    expect(identity.login).toBe('docs-fix[bot]');
    expect(lines).toContainEqual(
      expect.objectContaining({ level: 50, configured: 'docs-fix-typo', github: 'docs-fix' }),
    );
  });
});
