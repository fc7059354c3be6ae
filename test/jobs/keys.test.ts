import { describe, expect, it } from 'vitest';
import {
  cronPatternFor,
  jobIdFor,
  ScheduleError,
  schedulerIdFor,
  type JobSpec,
} from '../../src/jobs/index.js';
import { repoLockKey } from '../../src/jobs/keys.js';
import { pushSpec } from './helpers.js';

const command = (over: Partial<Extract<JobSpec, { kind: 'command' }>> = {}): JobSpec => ({
  kind: 'command',
  installationId: 1,
  owner: 'octo',
  repo: 'docs',
  command: 'fix',
  pull: 7,
  commentId: 1001,
  commenter: 'mona',
  headSha: 'a'.repeat(40),
  ...over,
});

describe('jobIdFor', () => {
  it('is the same for the same content, whatever the delivery or the case of the names', () => {
    const spec = pushSpec(1, 1);
    expect(jobIdFor(spec)).toBe(jobIdFor({ ...spec }));
    expect(jobIdFor(spec)).toBe(
      jobIdFor({ ...spec, owner: 'OCTO-org', installationId: 99, before: 'f'.repeat(40) }),
    );
    expect(jobIdFor(spec)).toMatch(/^push-[0-9a-f]{32}$/);
  });

  it('differs with the commit, the branch, the repository and the kind', () => {
    const spec = pushSpec(1, 1);
    const ids = new Set([
      jobIdFor(spec),
      jobIdFor(pushSpec(1, 2)),
      jobIdFor(pushSpec(2, 1)),
      jobIdFor({ ...spec, branch: 'dev' }),
      jobIdFor({
        kind: 'pr-closed',
        installationId: 42,
        owner: spec.owner,
        repo: spec.repo,
        pull: 1,
        branch: 'main',
      }),
    ]);
    expect(ids.size).toBe(5);
  });

  it('a pull request closed or reopened twice is two jobs; a redelivery is one', () => {
    const closed = (closedAt?: string): JobSpec => ({
      kind: 'pr-closed',
      installationId: 1,
      owner: 'octo',
      repo: 'docs',
      pull: 3,
      branch: 'docs-fix/main',
      merged: false,
      closedBy: 'alice',
      ...(closedAt ? { closedAt } : {}),
    });
    expect(jobIdFor(closed('2026-11-30T10:00:00Z'))).toBe(jobIdFor(closed('2026-11-30T10:00:00Z')));
    expect(jobIdFor(closed('2026-11-30T10:00:00Z'))).not.toBe(jobIdFor(closed('2026-12-01T10:00:00Z')));
    expect(jobIdFor(closed())).toMatch(/^pr-closed-[0-9a-f]{32}$/);
    const reopened = (reopenedAt: string): JobSpec => ({
      kind: 'pr-reopened',
      installationId: 1,
      owner: 'octo',
      repo: 'docs',
      pull: 3,
      reopenedBy: 'alice',
      reopenedAt,
    });
    expect(jobIdFor(reopened('a'))).toBe(jobIdFor(reopened('a')));
    expect(jobIdFor(reopened('a'))).not.toBe(jobIdFor(reopened('b')));
    expect(jobIdFor(reopened('a'))).toMatch(/^pr-reopened-[0-9a-f]{32}$/);
    expect(jobIdFor(command({ command: 'forget' }))).not.toBe(jobIdFor(command()));
  });

  it('treats a repeated command on the same head as one job, and a new head or command as another', () => {
    expect(jobIdFor(command())).toBe(jobIdFor(command({ commentId: 2002, commenter: 'hubot' })));
    expect(jobIdFor(command())).not.toBe(jobIdFor(command({ headSha: 'b'.repeat(40) })));
    expect(jobIdFor(command())).not.toBe(jobIdFor(command({ command: 'check' })));
    expect(jobIdFor(command())).not.toBe(jobIdFor(command({ pull: 8 })));
  });

  it('buckets ad-hoc scheduled checks by the hour', () => {
    const spec: JobSpec = { kind: 'scheduled-check', installationId: 1, owner: 'o', repo: 'r' };
    const hour = 3_600_000;
    expect(jobIdFor(spec, 10 * hour + 1)).toBe(jobIdFor(spec, 11 * hour - 1));
    expect(jobIdFor(spec, 10 * hour)).not.toBe(jobIdFor(spec, 11 * hour));
  });

  it('never contains a colon and is never an integer (BullMQ refuses both)', () => {
    for (let i = 0; i < 50; i += 1) expect(jobIdFor(pushSpec(i, i))).not.toMatch(/:|^\d+$/);
  });
});

describe('names', () => {
  it('builds one scheduler id and one lock key per repository, case-insensitively', () => {
    expect(schedulerIdFor({ owner: 'Octo', repo: 'Docs' })).toBe(
      schedulerIdFor({ owner: 'octo', repo: 'docs' }),
    );
    expect(repoLockKey('df', { owner: 'Octo', repo: 'Docs' })).toBe('df:jobs:repo-lock:octo/docs');
  });
});

describe('cronPatternFor', () => {
  const repos = Array.from({ length: 40 }, (_, i) => ({ owner: 'org', repo: `r${i}` }));

  it('maps weekly and daily to a per-repository stable offset', () => {
    const weekly = cronPatternFor(repos[0]!, 'weekly');
    expect(weekly).toMatch(/^\d{1,2} \d{1,2} \* \* [0-6]$/);
    expect(cronPatternFor({ owner: 'ORG', repo: 'R0' }, 'weekly')).toBe(weekly);
    const daily = cronPatternFor(repos[0]!, 'daily');
    expect(daily).toMatch(/^\d{1,2} \d{1,2} \* \* \*$/);
    // The daily check fires at the same minute and hour as the weekly one.
    expect(weekly?.startsWith(daily!.slice(0, -1))).toBe(true);
  });

  it('spreads repositories over the clock', () => {
    const patterns = new Set(repos.map((r) => cronPatternFor(r, 'weekly')));
    expect(patterns.size).toBeGreaterThan(30);
  });

  it('passes cron patterns through, answers null for off, and rejects anything else', () => {
    expect(cronPatternFor(repos[0]!, ' 0  6 * * 1 ')).toBe('0 6 * * 1');
    expect(cronPatternFor(repos[0]!, '*/30 * * * * *')).toBe('*/30 * * * * *');
    expect(cronPatternFor(repos[0]!, 'off')).toBeNull();
    expect(() => cronPatternFor(repos[0]!, 'monthly')).toThrow(ScheduleError);
    expect(() => cronPatternFor(repos[0]!, '0 6 * *')).toThrow(/5 or 6 fields/);
  });
});
