import { parseDocument, LineCounter } from 'yaml';
import { ConfigError } from './errors.js';
import { issuePath } from './env.js';
import { RepoConfigSchema, type RepoConfig } from './schema.js';

export type ConfigResult = { ok: true; config: RepoConfig } | { ok: false; error: ConfigError };

/** Validates an already-parsed object (Probot's `context.config` result, or YAML). */
export function validateRepoConfig(
  value: unknown,
  file: string,
  lineOf?: (path: string) => number | undefined,
): ConfigResult {
  const parsed = RepoConfigSchema.safeParse(value ?? {});
  if (parsed.success) return { ok: true, config: parsed.data };
  const issue = parsed.error.issues[0]!;
  const field = issuePath(issue);
  return { ok: false, error: new ConfigError(file, field, issue.message, lineOf?.(field)) };
}

/** Parses YAML text of a repository config; errors carry the file, the field and its line. */
export function parseRepoConfigYaml(text: string, file: string): ConfigResult {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false });
  if (doc.errors.length > 0) {
    const err = doc.errors[0]!;
    const line = counter.linePos(err.pos[0]).line;
    return {
      ok: false,
      error: new ConfigError(file, '', `invalid YAML: ${err.message.split('\n')[0]}`, line),
    };
  }
  const lineOf = (path: string): number | undefined => {
    const node = doc.getIn(path === '' ? [] : path.split('.'), true) as
      { range?: [number, number, number] } | undefined;
    const top = path.split('.')[0];
    const fallback = top
      ? (doc.getIn([top], true) as { range?: [number, number, number] } | undefined)
      : undefined;
    const range = node?.range ?? fallback?.range;
    return range ? counter.linePos(range[0]).line : undefined;
  };
  return validateRepoConfig(doc.toJS() ?? {}, file, lineOf);
}
