// Builds the extract of GitHub's OpenAPI description that the test suite checks docs-fix against: the
// operations docs-fix (and Probot on its behalf) uses, on api.github.com and on the oldest GitHub Enterprise
// Server docs-fix supports, with the schemas they reference turned into plain JSON Schema (draft-07) for ajv.
// The full description is 13 MB per plan (70 MB dereferenced): far too much to parse in every test worker.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/** The pinned `@octokit/openapi` (a dev dependency); `npm run openapi:extract` refuses any other version. */
export const OPENAPI_PACKAGE = '@octokit/openapi';
export const OPENAPI_VERSION = '23.0.2';

/** api.github.com, and the oldest GitHub Enterprise Server the pinned package describes (the README names it). */
export const PLANS = ['api.github.com', 'ghes-3.17'] as const;
export type Plan = (typeof PLANS)[number];

/**
 * Every operation docs-fix's GitHub layer, its workers, `docs-fix pr` and Probot's authentication send, and
 * those the fake GitHub serves to tests. A request to anything else fails the test that sent it.
 */
export const OPERATIONS = [
  'apps/get-authenticated',
  'apps/list-installations',
  'apps/get-installation',
  'apps/create-installation-access-token',
  'apps/get-repo-installation',
  'apps/list-repos-accessible-to-installation',
  'users/get-authenticated',
  'rate-limit/get',
  'repos/get',
  'repos/get-branch',
  'repos/get-content',
  'repos/compare-commits-with-basehead',
  'repos/list-commits',
  'repos/get-commit',
  'repos/get-collaborator-permission-level',
  'checks/list-for-ref',
  'checks/create',
  'checks/update',
  'checks/get',
  'checks/list-annotations',
  'git/get-blob',
  'git/create-blob',
  'git/get-tree',
  'git/create-tree',
  'git/get-commit',
  'git/create-commit',
  'git/get-ref',
  'git/list-matching-refs',
  'git/create-ref',
  'git/update-ref',
  'git/delete-ref',
  'pulls/list',
  'pulls/create',
  'pulls/get',
  'pulls/update',
  'pulls/list-files',
  'pulls/list-commits',
  'pulls/merge',
  'pulls/create-review',
  'pulls/list-reviews',
  'pulls/list-review-comments',
  'issues/get',
  'issues/get-comment',
  'issues/update-comment',
  'issues/delete-comment',
  'issues/list-comments',
  'issues/create-comment',
  'issues/add-labels',
  'reactions/create-for-issue-comment',
  'reactions/list-for-issue-comment',
] as const;

/** JSON Schema (draft-07) as ajv reads it; `$ref`s point into the plan's `components.schemas`. */
export type JsonSchema = { [key: string]: unknown };

export interface ExtractParameter {
  readonly name: string;
  readonly in: 'path' | 'query';
  readonly required: boolean;
  readonly schema: JsonSchema;
}

export interface ExtractOperation {
  readonly operationId: string;
  readonly method: string;
  readonly path: string;
  readonly parameters: readonly ExtractParameter[];
  /** The JSON request body, when the operation takes one. */
  readonly requestBody?: { readonly required: boolean; readonly schema: JsonSchema };
  /** Status → the JSON body's schema, or null when the description documents no JSON body for it. */
  readonly responses: Readonly<Record<string, JsonSchema | null>>;
}

export interface PlanExtract {
  /** `METHOD /path` → operationId for every operation the plan documents (to tell "undocumented" from "not extracted"). */
  readonly documented: Readonly<Record<string, string>>;
  readonly operations: Readonly<Record<string, ExtractOperation>>;
  readonly components: { readonly schemas: Readonly<Record<string, JsonSchema>> };
}

export interface OpenApiExtract {
  readonly source: { readonly package: string; readonly version: string; readonly plans: readonly Plan[] };
  readonly plans: Readonly<Record<Plan, PlanExtract>>;
}

interface OpenApiDocument {
  info: { version: string };
  paths: Record<string, Record<string, unknown>>;
  components: {
    schemas: Record<string, unknown>;
    parameters: Record<string, unknown>;
    responses: Record<string, unknown>;
  };
}

const METHODS = ['get', 'put', 'post', 'patch', 'delete', 'head', 'options'];
/** Formats ajv-formats checks; GHES also uses names of its own (`ssh-key`, `ip/cidr`) that no validator knows. */
const FORMATS = new Set(['date-time', 'date', 'email', 'uri', 'uri-template', 'uuid', 'hostname', 'int64']);
/** Documentation and OpenAPI-only keywords, dropped from the extract (JSON Schema validation ignores them). */
const DROPPED = new Set([
  'description',
  'title',
  'example',
  'examples',
  'externalDocs',
  'readOnly',
  'writeOnly',
  'deprecated',
  'discriminator',
  'xml',
]);

/** Reads a plan's (non-dereferenced) description from the installed package. */
export function readInstalledPlan(plan: Plan): OpenApiDocument {
  const require = createRequire(import.meta.url);
  const file = require.resolve(`${OPENAPI_PACKAGE}/generated/${plan}.json`);
  return JSON.parse(readFileSync(file, 'utf8')) as OpenApiDocument;
}

export function installedVersion(): string {
  const require = createRequire(import.meta.url);
  return (require(`${OPENAPI_PACKAGE}/package.json`) as { version: string }).version;
}

const isObject = (x: unknown): x is Record<string, unknown> =>
  typeof x === 'object' && x !== null && !Array.isArray(x);

function localRef(ref: string, kind: 'schemas' | 'parameters' | 'responses'): string {
  const prefix = `#/components/${kind}/`;
  if (!ref.startsWith(prefix)) throw new Error(`unexpected $ref ${ref} (expected ${prefix}…)`);
  return ref.slice(prefix.length);
}

/**
 * OpenAPI 3.0 schema → JSON Schema draft-07: `nullable` becomes a `null` type (or an anyOf with null where the
 * schema has no type), siblings of `$ref` are dropped as OpenAPI 3.0 says, and so are documentation keywords,
 * `x-` extensions and formats no validator knows. Collects the component schemas it references.
 */
function toJsonSchema(node: unknown, refs: Set<string>): unknown {
  if (Array.isArray(node)) return node.map((n) => toJsonSchema(n, refs));
  if (!isObject(node)) return node;
  if (typeof node['$ref'] === 'string') {
    refs.add(localRef(node['$ref'], 'schemas'));
    const ref = { $ref: node['$ref'] };
    return node['nullable'] === true ? { anyOf: [{ type: 'null' }, ref] } : ref;
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (DROPPED.has(key) || key.startsWith('x-') || key === 'nullable') continue;
    if (key === 'format' && (typeof value !== 'string' || !FORMATS.has(value))) continue;
    if (key === 'properties' || key === 'patternProperties') {
      out[key] = Object.fromEntries(
        Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, toJsonSchema(v, refs)]),
      );
      continue;
    }
    // `default` and `enum` are data, not schemas.
    out[key] = key === 'default' || key === 'enum' || key === 'required' ? value : toJsonSchema(value, refs);
  }
  if (node['nullable'] !== true) return out;
  if (typeof out['type'] === 'string') {
    out['type'] = [out['type'], 'null'];
    if (Array.isArray(out['enum']) && !out['enum'].includes(null)) out['enum'] = [...out['enum'], null];
    return out;
  }
  return { anyOf: [{ type: 'null' }, out] };
}

function jsonContent(content: unknown): unknown {
  if (!isObject(content)) return undefined;
  const json = content['application/json'];
  return isObject(json) ? json['schema'] : undefined;
}

function extractOperation(
  doc: OpenApiDocument,
  path: string,
  method: string,
  op: Record<string, unknown>,
  refs: Set<string>,
): ExtractOperation {
  const parameters: ExtractParameter[] = [];
  for (const raw of (op['parameters'] as unknown[] | undefined) ?? []) {
    const p = (
      isObject(raw) && typeof raw['$ref'] === 'string'
        ? doc.components.parameters[localRef(raw['$ref'], 'parameters')]
        : raw
    ) as Record<string, unknown>;
    if (p['in'] !== 'path' && p['in'] !== 'query') continue;
    parameters.push({
      name: String(p['name']),
      in: p['in'],
      required: p['required'] === true,
      schema: toJsonSchema(p['schema'] ?? {}, refs) as JsonSchema,
    });
  }
  const body = op['requestBody'] as Record<string, unknown> | undefined;
  const bodySchema = body ? jsonContent(body['content']) : undefined;
  const responses: Record<string, JsonSchema | null> = {};
  for (const [status, raw] of Object.entries((op['responses'] as Record<string, unknown>) ?? {})) {
    const response = (
      isObject(raw) && typeof raw['$ref'] === 'string'
        ? doc.components.responses[localRef(raw['$ref'], 'responses')]
        : raw
    ) as Record<string, unknown>;
    const schema = jsonContent(response['content']);
    responses[status] = schema === undefined ? null : (toJsonSchema(schema, refs) as JsonSchema);
  }
  return {
    operationId: String(op['operationId']),
    method: method.toUpperCase(),
    path,
    parameters,
    ...(bodySchema !== undefined
      ? {
          requestBody: {
            required: body?.['required'] === true,
            schema: toJsonSchema(bodySchema, refs) as JsonSchema,
          },
        }
      : {}),
    responses,
  };
}

export function extractPlan(doc: OpenApiDocument, operationIds: readonly string[]): PlanExtract {
  const documented: Record<string, string> = {};
  const byId = new Map<string, { path: string; method: string; op: Record<string, unknown> }>();
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (!isObject(op) || typeof op['operationId'] !== 'string') continue;
      documented[`${method.toUpperCase()} ${path}`] = op['operationId'];
      byId.set(op['operationId'], { path, method, op });
    }
  }
  const refs = new Set<string>();
  const operations: Record<string, ExtractOperation> = {};
  for (const id of operationIds) {
    const found = byId.get(id);
    if (!found) continue; // not on this plan: the contract check reports it when a request needs it
    operations[id] = extractOperation(doc, found.path, found.method, found.op, refs);
  }
  // The closure of referenced component schemas.
  const schemas: Record<string, JsonSchema> = {};
  const pending = [...refs];
  while (pending.length > 0) {
    const name = pending.pop()!;
    if (name in schemas) continue;
    const source = doc.components.schemas[name];
    if (source === undefined) throw new Error(`components.schemas.${name} is referenced but missing`);
    const more = new Set<string>();
    schemas[name] = toJsonSchema(source, more) as JsonSchema;
    for (const r of more) if (!(r in schemas)) pending.push(r);
  }
  return {
    documented: sortKeys(documented),
    operations,
    components: { schemas: sortKeys(schemas) },
  };
}

function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The extract from the installed package; throws when it is not the pinned version. */
export function buildExtract(read: (plan: Plan) => OpenApiDocument = readInstalledPlan): OpenApiExtract {
  const plans = {} as Record<Plan, PlanExtract>;
  for (const plan of PLANS) {
    const doc = read(plan);
    if (doc.info.version !== OPENAPI_VERSION) {
      throw new Error(
        `${OPENAPI_PACKAGE} ${doc.info.version} is installed, the extract is pinned to ${OPENAPI_VERSION}: install the pinned version, or change OPENAPI_VERSION in scripts/github-openapi/extract.ts and package.json together`,
      );
    }
    plans[plan] = extractPlan(doc, OPERATIONS);
  }
  return { source: { package: OPENAPI_PACKAGE, version: OPENAPI_VERSION, plans: [...PLANS] }, plans };
}

/** Where the extract is committed (test/fixtures is not reformatted by Prettier). */
export const EXTRACT_PATH = 'test/fixtures/github-openapi.json';

export function serializeExtract(extract: OpenApiExtract): string {
  return `${JSON.stringify(extract, null, 1)}\n`;
}
