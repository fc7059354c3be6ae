// Webhook payloads checked against GitHub's payload schemas (@octokit/webhooks-schemas) before the handlers'
// types are trusted: a payload whose fields the handlers read are missing or of the wrong type is refused
// with the field named, not met with a TypeError deep in a handler.
//
// Only the fields the handlers read are checked. The schemas are stricter than GitHub: real payloads (the
// ones in @octokit/webhooks-examples) lack fields the schemas require and carry fields they forbid, so a
// whole-schema check would refuse deliveries the app handles correctly. Each handled event's schema is
// pruned to the read fields (their types and, where the schema requires them, their presence) and compiled
// on its first delivery: ajv and the 630 KB schema are loaded then, never at start-up or by the CLI.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { ErrorObject, ValidateFunction } from 'ajv';

/** The app id and slug are read only to learn the app's identity (./app-identity.ts) when present. */
const INSTALLATION_FIELDS = ['installation.id', 'installation.app_id?', 'installation.app_slug?'];

/**
 * What the handlers (src/app.ts) and Probot's `context.repo()` read, per handled event or `event.action`:
 * dotted paths, `[]` for the items of an array, `?` after a field the handlers read only when present (its
 * schema may require it, real payloads may lack it). A path ends at a value whose type is checked; an object
 * there is checked to be an object, nothing inside it.
 */
export const HANDLED_PAYLOAD_FIELDS: Readonly<Record<string, readonly string[]>> = {
  push: [
    'ref',
    'before',
    'after',
    'created',
    'deleted',
    'forced',
    'commits[].id',
    'commits[].added[]',
    'commits[].modified[]',
    'commits[].removed[]',
    'head_commit.id',
    'head_commit.tree_id',
    'repository.name',
    'repository.owner.login',
    'repository.default_branch',
    'sender.login',
    'sender.type',
    'installation.id',
  ],
  'issue_comment.created': [
    'issue.number',
    'issue.pull_request',
    'comment.id',
    'comment.body',
    'comment.user.login',
    'comment.user.type',
    'comment.performed_via_github_app?.id',
    'repository.name',
    'repository.owner.login',
    'installation.id',
  ],
  'pull_request.closed': [
    'number',
    'pull_request.number',
    'pull_request.merged',
    'pull_request.closed_at',
    'pull_request.head.ref',
    'pull_request.head.repo.full_name',
    'pull_request.base.repo.full_name',
    'sender.login',
    'sender.type',
    'repository.name',
    'repository.owner.login',
    'installation.id',
  ],
  'pull_request.reopened': [
    'number',
    'pull_request.number',
    'pull_request.updated_at',
    'pull_request.head.ref',
    'pull_request.head.repo.full_name',
    'pull_request.base.repo.full_name',
    'sender.login',
    'sender.type',
    'repository.name',
    'repository.owner.login',
    'installation.id',
  ],
  'installation.created': [...INSTALLATION_FIELDS, 'repositories[].full_name'],
  'installation.new_permissions_accepted': [...INSTALLATION_FIELDS, 'repositories[].full_name'],
  'installation.deleted': [...INSTALLATION_FIELDS, 'repositories[].full_name'],
  'installation_repositories.added': [
    ...INSTALLATION_FIELDS,
    'repositories_added[].full_name',
    'repositories_removed[].full_name',
  ],
  'installation_repositories.removed': [
    ...INSTALLATION_FIELDS,
    'repositories_added[].full_name',
    'repositories_removed[].full_name',
  ],
};

export type PayloadVerdict =
  { readonly ok: true; readonly checked: boolean } | { readonly ok: false; readonly reason: string };

export interface WebhookPayloadValidator {
  /**
   * Checks a payload the handlers will read: `checked: false` when no handler reads this event and action
   * (nothing to trust), else whether the read fields are as the schema describes them.
   */
  validate(event: string, payload: object): Promise<PayloadVerdict>;
}

type Schema = Record<string, unknown>;
interface Tree {
  readonly children: Map<string, Tree>;
  /** Read only when present: its type is checked, its presence is not required. */
  optional: boolean;
}

/** Which handled key (`push`, `issue_comment.created`) a delivery is, if any. */
export function handledKey(event: string, payload: object): string | undefined {
  const action = (payload as { action?: unknown }).action;
  if (typeof action === 'string' && `${event}.${action}` in HANDLED_PAYLOAD_FIELDS)
    return `${event}.${action}`;
  return event in HANDLED_PAYLOAD_FIELDS ? event : undefined;
}

export function createWebhookPayloadValidator(
  options: { fields?: Readonly<Record<string, readonly string[]>> } = {},
): WebhookPayloadValidator {
  const fields = options.fields ?? HANDLED_PAYLOAD_FIELDS;
  let toolkit: Promise<{ compile(schema: Schema): ValidateFunction; definitions: Record<string, Schema> }>;
  const compiled = new Map<string, Promise<ValidateFunction>>();

  const load = async () => {
    const [{ Ajv }, schemaText] = await Promise.all([
      import('ajv'),
      readFile(createRequire(import.meta.url).resolve('@octokit/webhooks-schemas'), 'utf8'),
    ]);
    const ajv = new Ajv({ allErrors: true, strict: false });
    const definitions = (JSON.parse(schemaText) as { definitions: Record<string, Schema> }).definitions;
    return { compile: (schema: Schema) => ajv.compile(schema), definitions };
  };

  const validatorFor = (key: string): Promise<ValidateFunction> => {
    let v = compiled.get(key);
    if (!v) {
      v = (async () => {
        const kit = await (toolkit ??= load());
        const [event, action] = key.split('.') as [string, string | undefined];
        const definition = kit.definitions[`${event}$${action ?? 'event'}`];
        if (!definition) throw new Error(`@octokit/webhooks-schemas has no schema for ${key}`);
        return kit.compile(prune(definition, pathTree(fields[key] ?? []), kit.definitions));
      })();
      // A failed load is retried on the next delivery.
      v.catch(() => compiled.delete(key));
      compiled.set(key, v);
    }
    return v;
  };

  return {
    async validate(event, payload) {
      const key = handledKey(event, payload);
      if (!key || !(key in fields)) return { ok: true, checked: false };
      const validate = await validatorFor(key);
      if (validate(payload)) return { ok: true, checked: true };
      return { ok: false, reason: `${key} payload: ${describe(validate.errors)}` };
    },
  };
}

function pathTree(paths: readonly string[]): Tree {
  const root: Tree = { children: new Map(), optional: false };
  for (const path of paths) {
    let node = root;
    for (const raw of path.replace(/\[\]/g, '.[]').split('.')) {
      const name = raw.replace(/\?$/, '');
      let next = node.children.get(name);
      if (!next) {
        next = { children: new Map(), optional: raw.endsWith('?') };
        node.children.set(name, next);
      }
      node = next;
    }
  }
  return root;
}

const isObject = (x: unknown): x is Schema => typeof x === 'object' && x !== null && !Array.isArray(x);

/**
 * The part of `schema` that describes the fields in `tree`: types, enums and (where the schema requires
 * them) presence, through `$ref`s and combinators; every other property, requirement and
 * `additionalProperties` is dropped. A oneOf becomes an anyOf, as pruned branches may no longer exclude
 * each other.
 */
function prune(schema: unknown, tree: Tree, definitions: Record<string, Schema>, depth = 0): Schema {
  if (depth > 64) throw new Error('webhook schema: $ref cycle while pruning');
  if (!isObject(schema)) return {};
  if (typeof schema['$ref'] === 'string') {
    const name = /^#\/definitions\/(.+)$/.exec(schema['$ref'])?.[1];
    if (!name || !definitions[name]) throw new Error(`webhook schema: unknown $ref ${schema['$ref']}`);
    return prune(definitions[name], tree, definitions, depth + 1);
  }
  const out: Schema = {};
  for (const keyword of ['type', 'enum', 'const'] as const) {
    if (schema[keyword] !== undefined) out[keyword] = schema[keyword];
  }
  for (const keyword of ['anyOf', 'oneOf', 'allOf'] as const) {
    const branches = schema[keyword];
    if (Array.isArray(branches)) {
      out[keyword === 'oneOf' ? 'anyOf' : keyword] = branches.map((b) =>
        prune(b, tree, definitions, depth + 1),
      );
    }
  }
  const items = tree.children.get('[]');
  if (items && schema['items'] !== undefined)
    out['items'] = prune(schema['items'], items, definitions, depth + 1);
  const properties = isObject(schema['properties']) ? schema['properties'] : {};
  const required = Array.isArray(schema['required']) ? (schema['required'] as string[]) : [];
  const kept: Schema = {};
  for (const [name, sub] of tree.children) {
    if (name === '[]' || properties[name] === undefined) continue;
    kept[name] = prune(properties[name], sub, definitions, depth + 1);
  }
  if (Object.keys(kept).length > 0) out['properties'] = kept;
  const stillRequired = required.filter((name) => tree.children.get(name)?.optional === false);
  if (stillRequired.length > 0) out['required'] = stillRequired;
  return out;
}

/** ajv's errors as one line naming the fields: the deepest ones (a failed anyOf says less than its branches). */
function describe(errors: readonly ErrorObject[] | null | undefined): string {
  const list = errors ?? [];
  const deepest = list.filter(
    (e) =>
      e.keyword === 'required' ||
      !list.some((o) => o !== e && o.instancePath.startsWith(`${e.instancePath}/`)),
  );
  const lines = (deepest.length > 0 ? deepest : list).map((e) => {
    const at = e.instancePath === '' ? '(root)' : e.instancePath;
    if (e.keyword === 'required') {
      return `${at} misses required field '${String((e.params as { missingProperty?: unknown }).missingProperty)}'`;
    }
    return `${at} ${e.message ?? e.keyword}`;
  });
  return [...new Set(lines)].slice(0, 5).join('; ');
}
