/** HTTP plumbing of the fake GitHub: a route table with Octokit-style templates, errors, pagination. */
import type { IncomingMessage } from 'node:http';

export type Query = URLSearchParams;

export interface Reply {
  status: number;
  data?: unknown;
  headers?: Record<string, string>;
  /** Raw body (contents with the raw media type); sent instead of JSON. */
  raw?: { body: Uint8Array; contentType: string };
}

/** A GitHub error response: `{ message, errors?, documentation_url }`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errors?: unknown[],
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}

/** GitHub's 422 shape for model validation: `Validation Failed` with a custom error naming the problem. */
export function validationFailed(resource: string, message: string, field?: string): HttpError {
  return new HttpError(422, 'Validation Failed', [
    { resource, code: 'custom', ...(field ? { field } : {}), message },
  ]);
}

export const notFound = (): HttpError => new HttpError(404, 'Not Found');

export interface RouteContext<Identity> {
  readonly method: string;
  readonly params: Record<string, string>;
  readonly query: Query;
  readonly body: unknown;
  readonly identity: Identity;
  readonly headers: IncomingMessage['headers'];
  /** The URL of this request without its query, for Link headers. */
  readonly url: URL;
}

export interface Route<Identity> {
  readonly method: string;
  /** Octokit's route template, e.g. `/repos/{owner}/{repo}/git/ref/{ref}`; `{name+}` spans slashes. */
  readonly template: string;
  readonly pattern: RegExp;
  readonly names: readonly string[];
  readonly handler: (ctx: RouteContext<Identity>) => Reply | Promise<Reply>;
}

export function route<Identity>(
  method: string,
  template: string,
  handler: (ctx: RouteContext<Identity>) => Reply | Promise<Reply>,
): Route<Identity> {
  const names: string[] = [];
  const source = template
    .replace(/[.*?^$()|[\]\\]/g, '\\$&')
    .replace(/\{(\w+)(\+?)\}/g, (_m, name: string, plus: string) => {
      names.push(name);
      return plus ? '(.+?)' : '([^/]+)';
    });
  return {
    method,
    template: template.replace(/\+\}/g, '}'),
    pattern: new RegExp(`^${source}$`),
    names,
    handler,
  };
}

export function matchRoute<Identity>(
  routes: readonly Route<Identity>[],
  method: string,
  pathname: string,
): { route: Route<Identity>; params: Record<string, string> } | undefined {
  for (const r of routes) {
    if (r.method !== method) continue;
    const m = r.pattern.exec(pathname);
    if (!m) continue;
    const params: Record<string, string> = {};
    r.names.forEach((name, i) => (params[name] = decodeURIComponent(m[i + 1]!)));
    return { route: r, params };
  }
  return undefined;
}

/** Slices a list as GitHub does (`per_page` default 30, max 100) and builds the `Link` header. */
export function paginate<T>(items: readonly T[], query: Query, url: URL, defaultPerPage = 30): Reply {
  const perPage = Math.min(
    100,
    Math.max(1, Number(query.get('per_page') ?? defaultPerPage) || defaultPerPage),
  );
  const page = Math.max(1, Number(query.get('page') ?? 1) || 1);
  const last = Math.max(1, Math.ceil(items.length / perPage));
  const data = items.slice((page - 1) * perPage, page * perPage);
  const link = (p: number, rel: string): string => {
    const u = new URL(url);
    for (const [k, v] of query) u.searchParams.set(k, v);
    u.searchParams.set('per_page', String(perPage));
    u.searchParams.set('page', String(p));
    return `<${u.toString()}>; rel="${rel}"`;
  };
  const links: string[] = [];
  if (page < last) links.push(link(page + 1, 'next'), link(last, 'last'));
  if (page > 1) links.push(link(1, 'first'), link(page - 1, 'prev'));
  return { status: 200, data, headers: links.length > 0 ? { link: links.join(', ') } : {} };
}

/** GitHub wraps base64 content at 60 characters, with a trailing newline. */
export function wrappedBase64(bytes: Uint8Array): string {
  const b64 = Buffer.from(bytes).toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 60) lines.push(b64.slice(i, i + 60));
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

export async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  if (chunks.length === 0) return undefined;
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HttpError(400, 'Problems parsing JSON');
  }
}
