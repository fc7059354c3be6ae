// The one logger factory: pino JSON, secrets redacted by field name and by value.
import { pino, type Logger, type LoggerOptions } from 'pino';

/** Field names whose values never reach a log line, wherever they appear (one level deep and at the top). */
const SECRET_FIELDS = [
  'privateKey',
  'private_key',
  'PRIVATE_KEY',
  'token',
  'accessToken',
  'apiKey',
  'OPENAI_API_KEY',
  'webhookSecret',
  'secret',
  'WEBHOOK_SECRET',
  'password',
  'authorization',
  'Authorization',
];
const REDACT_PATHS = [
  ...SECRET_FIELDS,
  ...SECRET_FIELDS.map((f) => `*.${f}`),
  'req.headers.authorization',
  'req.headers["x-hub-signature-256"]',
  'request.headers.authorization',
  'err.request.headers.authorization',
];

export const REDACTED = '[redacted]';

/** The secret values of this process (at least 8 characters, so that short common strings are not hidden). */
export function secretValues(env: NodeJS.ProcessEnv): string[] {
  return ['PRIVATE_KEY', 'WEBHOOK_SECRET', 'OPENAI_API_KEY', 'GITHUB_TOKEN', 'GH_TOKEN', 'REDIS_PASSWORD']
    .map((name) => env[name])
    .concat(urlPassword(env.REDIS_URL))
    .filter((v): v is string => typeof v === 'string' && v.length >= 8);
}

function urlPassword(url: string | undefined): string | undefined {
  try {
    return url ? decodeURIComponent(new URL(url).password) || undefined : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A logger that redacts secret fields by name and, as a last line of defence, any literal occurrence of a
 * secret value (raw or JSON-escaped, as a PEM key is inside a JSON string) in the written line.
 */
export function createLogger(
  options: {
    level?: string;
    secrets?: readonly string[];
    destination?: pino.DestinationStream;
    bindings?: Record<string, unknown>;
  } = {},
): Logger {
  const needles = (options.secrets ?? []).flatMap((s) => [s, JSON.stringify(s).slice(1, -1)]);
  const opts: LoggerOptions = {
    level: options.level ?? process.env.LOG_LEVEL ?? 'info',
    base: { name: 'docs-fix', ...options.bindings },
    redact: { paths: REDACT_PATHS, censor: REDACTED },
    hooks: {
      streamWrite: (line: string) => needles.reduce((out, needle) => out.split(needle).join(REDACTED), line),
    },
  };
  return options.destination ? pino(opts, options.destination) : pino(opts);
}
