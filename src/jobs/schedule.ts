// Turns a repository's `schedule` setting into a cron pattern (pure).
import { repoHash } from './keys.js';
import type { RepoRef } from './types.js';

/** `off`, `daily`, `weekly`, or a 5- or 6-field cron pattern. */
export type ScheduleSetting = 'off' | 'daily' | 'weekly' | (string & {});

export class ScheduleError extends Error {
  readonly code = 'JOB_SCHEDULE';
  constructor(
    readonly schedule: string,
    message: string,
  ) {
    super(message);
    this.name = 'ScheduleError';
  }
}

const CRON_FIELD = /^[0-9A-Za-z*/,?#LW-]+$/;

/**
 * The cron pattern for a schedule, or `null` for `off`. `daily` and `weekly` fire at a minute, hour (and
 * weekday) derived from a hash of the repository, so that installations with many repositories do not start
 * every check at the same instant; the offset is stable across processes and restarts.
 */
export function cronPatternFor(
  repo: Pick<RepoRef, 'owner' | 'repo'>,
  schedule: ScheduleSetting,
): string | null {
  const setting = schedule.trim();
  if (setting === 'off') return null;
  const h = repoHash(repo);
  const minute = h % 60;
  const hour = Math.floor(h / 60) % 24;
  const weekday = Math.floor(h / (60 * 24)) % 7;
  if (setting === 'daily') return `${minute} ${hour} * * *`;
  if (setting === 'weekly') return `${minute} ${hour} * * ${weekday}`;
  const fields = setting.split(/\s+/);
  if ((fields.length !== 5 && fields.length !== 6) || !fields.every((f) => CRON_FIELD.test(f))) {
    throw new ScheduleError(
      schedule,
      `schedule "${schedule}": expected off, daily, weekly or a cron pattern of 5 or 6 fields (e.g. "0 6 * * 1")`,
    );
  }
  return fields.join(' ');
}
