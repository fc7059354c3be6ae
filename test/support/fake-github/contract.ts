/**
 * GitHub's REST contract as GitHub describes it (@octokit/openapi, through the committed extract in
 * test/fixtures/github-openapi.json): which operations exist on api.github.com and on the oldest GitHub
 * Enterprise Server docs-fix supports, what their parameters and JSON bodies must be, and what their
 * responses look like. The fake GitHub checks every request it receives and every response it sends here.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import formatsModule from 'ajv-formats';
import standaloneCodeModule from 'ajv/dist/standalone/index.js';
import type {
  ExtractOperation,
  JsonSchema,
  OpenApiExtract,
  Plan,
  PlanExtract,
} from '../../../scripts/github-openapi/extract.js';
import { countRequest, countValidation } from '../contract-stats.js';

const EXTRACT_URL = new URL('../../fixtures/github-openapi.json', import.meta.url);
/** The plan the fake imitates: its responses are checked against it; requests against every plan. */
const PRIMARY: Plan = 'api.github.com';

// ajv-formats and ajv's standalone module are CommonJS with a default export; under NodeNext the default
// import is the module object, at run time it may be the function itself.
const addFormats = ((formatsModule as unknown as { default?: unknown }).default ?? formatsModule) as (
  ajv: Ajv,
) => Ajv;
const standaloneCode = ((standaloneCodeModule as unknown as { default?: unknown }).default ??
  standaloneCodeModule) as (ajv: Ajv, validate: ValidateFunction) => string;
const requireHere = createRequire(import.meta.url);

export interface RequestInput {
  readonly method: string;
  readonly pathname: string;
  readonly query: URLSearchParams;
  /** The parsed JSON body, or undefined when none was sent. */
  readonly body: unknown;
}

export type RequestVerdict =
  | { readonly ok: true; readonly operationId: string; readonly notes: readonly string[] }
  | {
      readonly ok: false;
      readonly operationId?: string;
      /** What GitHub would answer: 404 to an undocumented route, 422 to a body that does not validate. */
      readonly status: 404 | 422;
      readonly problems: readonly string[];
      /** Problems GitHub would not answer with an error (unknown query parameters, which it ignores). */
      readonly notes: readonly string[];
    };

interface Template {
  readonly key: string;
  readonly operationId: string;
  readonly strict: RegExp;
  /** Parameters may span slashes (refs, paths and branches do). */
  readonly loose: RegExp;
  readonly names: readonly string[];
  readonly literalLength: number;
}

/** Path parameters whose values contain slashes on GitHub (`heads/feature/x`, `docs/a.md`, `main...topic/x`). */
const SLASHED = new Set(['ref', 'path', 'branch', 'basehead', 'tree_sha']);

function template(key: string, operationId: string): Template {
  const path = key.slice(key.indexOf(' ') + 1);
  const names: string[] = [];
  const escaped = (s: string): string => s.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
  const build = (loose: boolean): RegExp =>
    new RegExp(
      `^${path
        .split(/(\{[^}]+\})/)
        .map((part) =>
          !part.startsWith('{')
            ? escaped(part)
            : loose && SLASHED.has(part.slice(1, -1))
              ? '(.+?)'
              : '([^/]+)',
        )
        .join('')}$`,
    );
  for (const m of path.matchAll(/\{([^}]+)\}/g)) names.push(m[1]!);
  return {
    key,
    operationId,
    strict: build(false),
    loose: build(true),
    names,
    literalLength: path.replace(/\{[^}]+\}/g, '').length,
  };
}

/**
 * Where GitHub's description is stricter than GitHub: the fake answers as GitHub does, and the response check
 * leaves these values alone. Each entry says why; keep the list short and remove an entry once the
 * description is fixed (the check then passes without it).
 */
export const ERRATA: readonly { operation: RegExp; at: RegExp; why: string }[] = [
  {
    operation: /^pulls\/list$/,
    at: /^\/\d+\/labels\/\d+\/description$/,
    why: "pull-request-simple types a label's description as a string; the same labels in pull-request and label allow null, which GitHub sends for a label created without a description",
  },
  {
    operation: /^pulls\/(get|list|create|update)$/,
    at: /^(\/\d+)?\/head\/repo$/,
    why: 'GitHub answers head.repo null once the fork a pull request came from is deleted; the description types it as a repository',
  },
];

function describeError(e: ErrorObject): string {
  const where = e.instancePath === '' ? '(root)' : e.instancePath;
  const p = e.params as Record<string, unknown>;
  if (e.keyword === 'enum') return `${where} must be one of ${JSON.stringify(p['allowedValues'])}`;
  if (e.keyword === 'additionalProperties')
    return `${where} has unknown property '${String(p['additionalProperty'])}'`;
  return `${where} ${e.message ?? e.keyword}`;
}

/**
 * ajv's errors as lines naming the field: missing properties grouped per object, and without the noise of
 * every failed branch of an anyOf/oneOf when an error deeper in the same value says more.
 */
/** Errors a combinator adds about its branches rather than about the value. */
function isBranchNoise(e: ErrorObject): boolean {
  return (
    e.keyword === 'anyOf' ||
    e.keyword === 'oneOf' ||
    (e.keyword === 'type' && (e.params as { type?: unknown }).type === 'null')
  );
}

export function describeErrors(errors: readonly ErrorObject[] | null | undefined): string[] {
  const list = errors ?? [];
  // A value that failed a nullable schema's branches reports "must be null" and "must match a schema in
  // anyOf" beside what is wrong in it: keep what is wrong in it.
  const explained = (e: ErrorObject): boolean =>
    list.some(
      (o) =>
        o !== e &&
        (o.instancePath.startsWith(`${e.instancePath}/`) ||
          (o.instancePath === e.instancePath && !isBranchNoise(o))),
    );
  const deepest = list.filter((e) => e.keyword === 'required' || !explained(e) || !isBranchNoise(e));
  const kept = deepest.filter(
    (e) =>
      e.keyword === 'required' ||
      !list.some((o) => o !== e && o.instancePath.startsWith(`${e.instancePath}/`)),
  );
  const missing = new Map<string, Set<string>>();
  const lines: string[] = [];
  for (const e of kept.length > 0 ? kept : list) {
    if (e.keyword === 'required') {
      const at = missing.get(e.instancePath) ?? new Set<string>();
      at.add(String((e.params as { missingProperty?: unknown }).missingProperty));
      missing.set(e.instancePath, at);
      continue;
    }
    lines.push(describeError(e));
  }
  for (const [at, names] of missing) {
    lines.push(
      `${at === '' ? '(root)' : at} misses required ${names.size === 1 ? 'property' : 'properties'} ${[...names].map((n) => `'${n}'`).join(', ')}`,
    );
  }
  return [...new Set(lines)].slice(0, 12);
}

export class GitHubContract {
  readonly source: OpenApiExtract['source'];
  private readonly plans: Readonly<Record<Plan, PlanExtract>>;
  private readonly templates: Map<string, Template[]>;
  /** Bodies are validated as sent; parameters arrive as strings, so their validator coerces. */
  private readonly bodies = new Ajv({ ...AJV_OPTIONS });
  private readonly params = new Ajv({ ...AJV_OPTIONS, coerceTypes: true });
  private readonly compiled = new Map<string, ValidateFunction>();
  /** Compiled validators shared by the run's test files (ajv's standalone code), keyed by the extract's digest. */
  private readonly cacheDir: string | undefined;
  private readonly digest: string;

  constructor(extract: OpenApiExtract, options: { cacheDir?: string; digest?: string } = {}) {
    this.cacheDir = options.cacheDir;
    this.digest = options.digest ?? '';
    this.source = extract.source;
    this.plans = extract.plans;
    for (const ajv of [this.bodies, this.params]) {
      addFormats(ajv);
      for (const plan of extract.source.plans) {
        ajv.addSchema({ $id: `https://openapi.test/${plan}`, ...extract.plans[plan] } as object);
      }
    }
    this.templates = new Map();
    for (const [key, operationId] of Object.entries(extract.plans[PRIMARY].documented)) {
      const method = key.slice(0, key.indexOf(' '));
      const list = this.templates.get(method) ?? [];
      list.push(template(key, operationId));
      this.templates.set(method, list);
    }
    // Most literal text first: `/issues/comments/{id}` wins over `/issues/{number}/comments`.
    for (const list of this.templates.values()) list.sort((a, b) => b.literalLength - a.literalLength);
  }

  static #loaded: GitHubContract | undefined;

  /**
   * The contract from the committed extract, parsed once per test file's module graph. Compiling a validator
   * costs up to 0.2 s (a pull request embeds two repositories and a dozen users): within a test run, each is
   * compiled once and the others load its code from $DOCS_FIX_CONTRACT_DIR (made by test/global-setup.ts).
   */
  static load(): GitHubContract {
    if (GitHubContract.#loaded) return GitHubContract.#loaded;
    const text = readFileSync(EXTRACT_URL, 'utf8');
    const dir = process.env.DOCS_FIX_CONTRACT_DIR;
    return (GitHubContract.#loaded = new GitHubContract(JSON.parse(text) as OpenApiExtract, {
      cacheDir: dir ? join(dir, 'validators') : undefined,
      digest: createHash('sha256').update(text).digest('hex'),
    }));
  }

  get planNames(): readonly Plan[] {
    return this.source.plans;
  }

  /** The documented api.github.com operation a request targets, with its decoded path parameters. */
  match(
    method: string,
    pathname: string,
  ): { operationId: string; params: Record<string, string> } | undefined {
    const list = this.templates.get(method.toUpperCase()) ?? [];
    for (const mode of ['strict', 'loose'] as const) {
      const found = list.flatMap((t) => {
        const m = t[mode].exec(pathname);
        return m ? [{ t, m }] : [];
      });
      // Two documented routes can share a URL (`compare/{base}...{head}` and `compare/{basehead}`): the one
      // docs-fix's client uses is the one in the extract.
      const best = found.find((f) => this.operation(PRIMARY, f.t.operationId)) ?? found[0];
      if (!best) continue;
      const params: Record<string, string> = {};
      best.t.names.forEach((name, i) => (params[name] = safeDecode(best.m[i + 1]!)));
      return { operationId: best.t.operationId, params };
    }
    return undefined;
  }

  operation(plan: Plan, operationId: string): ExtractOperation | undefined {
    return this.plans[plan].operations[operationId];
  }

  private validator(ajv: 'bodies' | 'params', key: string, schema: () => JsonSchema): ValidateFunction {
    const id = `${ajv}:${key}`;
    let fn = this.compiled.get(id);
    if (fn) return fn;
    const file = this.cacheDir
      ? join(
          this.cacheDir,
          `${createHash('sha256').update(`${this.digest}\n${id}`).digest('hex').slice(0, 32)}.cjs`,
        )
      : undefined;
    fn = file ? loadStandalone(file) : undefined;
    if (!fn) {
      fn = this[ajv].compile(schema());
      if (file) saveStandalone(file, standaloneCode(this[ajv], fn));
    }
    this.compiled.set(id, fn);
    return fn;
  }

  /** A schema of the plan's document, by JSON pointer (its `$ref`s resolve inside the document). */
  private ref(plan: Plan, pointer: string): JsonSchema {
    return { $ref: `https://openapi.test/${plan}#${pointer}` };
  }

  checkRequest(input: RequestInput): RequestVerdict {
    const method = input.method.toUpperCase();
    const where = `${method} ${input.pathname}`;
    const found = this.match(method, input.pathname);
    if (!found) {
      return {
        ok: false,
        status: 404,
        problems: [
          `${where} is not a documented operation of ${PRIMARY} (${this.source.package} ${this.source.version})`,
        ],
        notes: [],
      };
    }
    const { operationId, params } = found;
    countRequest(operationId);
    // The same problem on every plan is reported once, naming the plans.
    const problems = new Map<string, Plan[]>();
    const notes = new Map<string, Plan[]>();
    const add = (into: Map<string, Plan[]>, plan: Plan, messages: readonly string[]): void => {
      for (const m of messages) into.set(m, [...(into.get(m) ?? []), plan]);
    };
    for (const plan of this.planNames) {
      const op = this.operation(plan, operationId);
      if (!op) {
        const documented = Object.values(this.plans[plan].documented).includes(operationId);
        add(problems, plan, [
          documented
            ? `${operationId} is documented but not in the extract: add it to OPERATIONS in scripts/github-openapi/extract.ts and run npm run openapi:extract`
            : `${where} (${operationId}) is not an operation of this GitHub Enterprise Server version, the oldest docs-fix supports`,
        ]);
        continue;
      }
      const found = this.checkParameters(plan, op, params, input.query);
      add(problems, plan, found.problems);
      add(notes, plan, found.notes);
      add(problems, plan, this.checkBody(plan, op, input.body));
    }
    const list = (m: Map<string, Plan[]>): string[] =>
      [...m].map(([text, plans]) => `${text} (${plans.join(', ')})`);
    return problems.size === 0
      ? { ok: true, operationId, notes: list(notes) }
      : { ok: false, operationId, status: 422, problems: list(problems), notes: list(notes) };
  }

  private checkParameters(
    plan: Plan,
    op: ExtractOperation,
    path: Record<string, string>,
    query: URLSearchParams,
  ): { problems: string[]; notes: string[] } {
    const notes: string[] = [];
    const values: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(path)) values[`path:${name}`] = value;
    const documented = new Set(op.parameters.filter((p) => p.in === 'query').map((p) => p.name));
    for (const name of new Set(query.keys())) {
      if (!documented.has(name)) {
        // GitHub ignores a parameter it does not know: the request "works" and does something else.
        notes.push(`query parameter '${name}' is not a parameter of ${op.operationId}: GitHub ignores it`);
        continue;
      }
      const all = query.getAll(name);
      values[`query:${name}`] = all.length > 1 ? all : all[0];
    }
    const validate = this.validator('params', `${plan}:${op.operationId}:parameters`, () => ({
      type: 'object',
      properties: Object.fromEntries(
        op.parameters.map((p, i) => [
          `${p.in}:${p.name}`,
          this.ref(plan, `/operations/${pointerEscape(op.operationId)}/parameters/${i}/schema`),
        ]),
      ),
      required: op.parameters.filter((p) => p.required).map((p) => `${p.in}:${p.name}`),
    }));
    countValidation('parameterSets');
    if (validate(values)) return { problems: [], notes };
    const problems = describeErrors(validate.errors).map(
      (e) => `parameters of ${op.operationId}: ${e.replace(/^\/(path|query):/, '$1 parameter ')}`,
    );
    return { problems, notes };
  }

  private checkBody(plan: Plan, op: ExtractOperation, body: unknown): string[] {
    if (!op.requestBody) {
      return body === undefined ? [] : [`${op.operationId} takes no request body, but one was sent`];
    }
    if (body === undefined) {
      return op.requestBody.required ? [`${op.operationId} needs a JSON request body`] : [];
    }
    const validate = this.validator('bodies', `${plan}:${op.operationId}:request`, () =>
      this.ref(plan, `/operations/${pointerEscape(op.operationId)}/requestBody/schema`),
    );
    countValidation('requestBodies');
    if (validate(body)) return [];
    return describeErrors(validate.errors).map((e) => `request body of ${op.operationId}: ${e}`);
  }

  /**
   * The fake's answer against the description of api.github.com: a documented status with a body that
   * validates against its schema. Error statuses the operation does not document (401, 5xx, rate limits)
   * are checked against GitHub's `basic-error`; an undocumented success status is a violation.
   */
  checkResponse(operationId: string, status: number, body: unknown, json: boolean): string[] {
    const op = this.operation(PRIMARY, operationId);
    if (!op) return [];
    const key = String(status);
    const documented = Object.keys(op.responses);
    let pointer: string | undefined;
    if (key in op.responses) {
      if (op.responses[key] === null) return [];
      pointer = `/operations/${pointerEscape(operationId)}/responses/${key}`;
    } else if (status >= 400) {
      pointer = '/components/schemas/basic-error';
    } else {
      return [
        `${operationId} answered ${status}, which ${PRIMARY} does not document (documented: ${documented.join(', ')})`,
      ];
    }
    if (!json) {
      // Raw media types (contents with `application/vnd.github.raw`) have no JSON schema to check.
      return [];
    }
    if (body === undefined)
      return [`${operationId} answered ${status} without the JSON body its description has`];
    const validate = this.validator('bodies', `${PRIMARY}:${operationId}:${pointer}`, () =>
      this.ref(PRIMARY, pointer),
    );
    countValidation('responses');
    if (validate(body)) return [];
    const errata = ERRATA.filter((x) => x.operation.test(operationId));
    const errors = (validate.errors ?? []).filter((e) => !errata.some((x) => x.at.test(e.instancePath)));
    // An anyOf/oneOf that failed only because of an erratum deeper down fails no further.
    const real = errors.filter(
      (e) =>
        !['anyOf', 'oneOf'].includes(e.keyword) ||
        errors.some((o) => o !== e && o.instancePath.startsWith(`${e.instancePath}/`)),
    );
    return describeErrors(real).map((e) => `response ${status} of ${operationId}: ${e}`);
  }
}

const AJV_OPTIONS = {
  strict: false,
  allErrors: true,
  validateSchema: false,
  // Keeps each validator's source, so that it can be saved for the run's other test files.
  code: { source: true },
} as const;

/** A validator another test file of this run compiled, or undefined when there is none (yet). */
function loadStandalone(file: string): ValidateFunction | undefined {
  let code: string;
  try {
    code = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const module = { exports: {} as { default?: ValidateFunction } };
  // The code is ajv's own output for our schemas; it requires ajv's runtime and ajv-formats' formats.
  new Function('module', 'exports', 'require', code)(module, module.exports, requireHere);
  return module.exports.default ?? (module.exports as unknown as ValidateFunction);
}

/** Written under a temporary name and renamed, so that a reader never sees half a file. */
function saveStandalone(file: string, code: string): void {
  mkdirSync(join(file, '..'), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, code);
  renameSync(tmp, file);
}

function pointerEscape(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
