// Who the app is on GitHub: its slug, and so its bot's login `<slug>[bot]`, which the handlers need to ignore
// the bot's own events and the workers need to tell the bot's commits from a person's. Learned from
// APP_SLUG, from GitHub (`GET /app` with the app's JWT, retried in the background until it answers) or from
// an installation event naming this app. A webhook delivery never waits for it and never fails for it.
import type { Logger } from 'pino';

export interface EventActor {
  readonly login?: string;
  readonly type?: string;
}

/** What the handlers use: a synchronous answer, and a way to learn the slug from a payload. */
export interface AppIdentityView {
  /** The bot's login once the slug is known. */
  readonly login: string | undefined;
  /**
   * Whether an event's actor is this app's bot. With the slug known: its login. Before: a bot acting through
   * this app (`performed_via_github_app.id` is the app id); other bots' events are taken as someone else's,
   * which for the bot's own pushes costs one run that finds its own output at a fixpoint.
   */
  isOwn(actor: EventActor | null | undefined, via?: { readonly id?: number } | null): boolean;
  /** An installation event names the app (`installation.app_id`, `app_slug`): the slug, with no request. */
  learn(appId: number | undefined, slug: string | undefined): void;
}

export interface AppIdentity extends AppIdentityView {
  /** The login, asking GitHub now when it is not known yet (workers: a job that cannot know it retries). */
  resolve(): Promise<string>;
  /** Asks GitHub in the background until it answers (a first attempt at once), unless the slug is known. */
  start(): void;
  stop(): void;
}

export interface AppIdentityOptions {
  /** The app id (`APP_ID`), to recognise the app in payloads before the slug is known. */
  readonly appId: number | undefined;
  /** From `APP_SLUG`: known at once; GitHub's answer, when it comes, is still compared with it. */
  readonly slug?: string;
  /** `GET /app` with the app's JWT: the app's slug. */
  readonly fetchSlug: () => Promise<string>;
  readonly log: Logger;
  /** Background retries: first delay, doubled after each failure up to the cap (defaults 1 s and 5 min). */
  readonly retry?: { readonly initialMs?: number; readonly maxMs?: number };
}

export const botLoginOf = (slug: string): string => `${slug}[bot]`;

export function createAppIdentity(options: AppIdentityOptions): AppIdentity {
  const { appId, log } = options;
  const initialMs = options.retry?.initialMs ?? 1000;
  const maxMs = options.retry?.maxMs ?? 300_000;
  let slug = options.slug;
  /** Whether GitHub itself has answered (APP_SLUG alone is checked once GitHub answers). */
  let confirmed = false;
  let inFlight: Promise<string> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const adopt = (fromGitHub: string): void => {
    if (slug !== undefined && slug !== fromGitHub) {
      log.error(
        { configured: slug, github: fromGitHub },
        "APP_SLUG does not match the app GitHub knows for APP_ID: using GitHub's; fix APP_SLUG",
      );
    }
    if (slug !== fromGitHub) log.info({ slug: fromGitHub }, 'app identity learned from GitHub');
    slug = fromGitHub;
    confirmed = true;
  };

  const ask = (): Promise<string> =>
    (inFlight ??= options
      .fetchSlug()
      .then((fetched) => {
        adopt(fetched);
        return botLoginOf(fetched);
      })
      .finally(() => {
        inFlight = undefined;
      }));

  const attempt = (delayMs: number): void => {
    if (stopped || confirmed) return;
    ask().catch((err: unknown) => {
      if (stopped || confirmed) return;
      const next = Math.min(maxMs, delayMs * 2);
      log.warn(
        { err, retryInMs: delayMs, known: slug !== undefined },
        'could not learn the app identity from GitHub (GET /app): retrying in the background',
      );
      timer = setTimeout(() => attempt(next), delayMs);
      // Never the reason a process stays up.
      timer.unref();
    });
  };

  return {
    get login() {
      return slug === undefined ? undefined : botLoginOf(slug);
    },
    isOwn(actor, via) {
      if (!actor) return false;
      if (slug !== undefined) return actor.login === botLoginOf(slug);
      return actor.type === 'Bot' && appId !== undefined && via?.id === appId;
    },
    learn(fromAppId, fromSlug) {
      if (!fromSlug || appId === undefined || fromAppId !== appId || confirmed) return;
      adopt(fromSlug);
    },
    async resolve() {
      if (slug !== undefined) return botLoginOf(slug);
      return ask();
    },
    start() {
      stopped = false;
      attempt(initialMs);
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
