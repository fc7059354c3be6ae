// Payload checks against @octokit/webhooks-schemas, without a server: real payloads pass, malformed ones are
// refused naming the field, events no handler reads are not checked, and nothing on the CLI's or the web
// process's start-up path loads ajv or the schemas.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createWebhookPayloadValidator, HANDLED_PAYLOAD_FIELDS } from '../../src/github/webhook-payload.js';

const require = createRequire(import.meta.url);
const schema = require('@octokit/webhooks-schemas') as { definitions: Record<string, unknown> };

function example(name: string, action?: string): Record<string, unknown> {
  const all = require('@octokit/webhooks-examples') as {
    name: string;
    examples: Record<string, unknown>[];
  }[];
  const found = all
    .find((d) => d.name === name)
    ?.examples.find((e) => action === undefined || e['action'] === action);
  if (!found) throw new Error(`no example ${name}.${action ?? ''}`);
  return structuredClone(found);
}

describe('webhook payload checks', () => {
  const validator = createWebhookPayloadValidator();

  it('have a schema for every event and action a handler reads', () => {
    for (const key of Object.keys(HANDLED_PAYLOAD_FIELDS)) {
      const [event, action] = key.split('.');
      expect(schema.definitions[`${event}$${action ?? 'event'}`], key).toBeDefined();
    }
  });

  it('pass real payloads (github.com and every GitHub Enterprise Server version in the examples)', async () => {
    let checked = 0;
    for (const dir of ['api.github.com', 'ghes-31', 'ghes-32', 'ghes-33', 'ghes-34', 'ghes-35']) {
      const all = require(`@octokit/webhooks-examples/${dir}/index.json`) as {
        name: string;
        examples: Record<string, unknown>[];
      }[];
      for (const { name, examples } of all) {
        for (const payload of examples) {
          const verdict = await validator.validate(name, payload);
          expect(verdict, `${dir} ${name}.${String(payload['action'])}`).toMatchObject({ ok: true });
          if (verdict.ok && verdict.checked) checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(50);
  });

  it('refuse a payload whose read fields are missing or of the wrong type, naming them', async () => {
    const push = example('push');
    expect(await validator.validate('push', { ...push, ref: undefined })).toEqual({
      ok: false,
      reason: "push payload: (root) misses required field 'ref'",
    });
    expect(
      await validator.validate('push', {
        ...push,
        repository: { ...(push['repository'] as object), owner: null },
      }),
    ).toEqual({
      ok: false,
      reason: 'push payload: /repository/owner must be object',
    });
    const comment = example('issue_comment', 'created');
    expect(
      await validator.validate('issue_comment', {
        ...comment,
        comment: { ...(comment['comment'] as object), body: 42 },
      }),
    ).toEqual({ ok: false, reason: 'issue_comment.created payload: /comment/body must be string' });
    const installed = example('installation_repositories', 'added');
    expect(
      await validator.validate('installation_repositories', {
        ...installed,
        repositories_added: [{ name: 'x' }],
      }),
    ).toEqual({
      ok: false,
      reason:
        "installation_repositories.added payload: /repositories_added/0 misses required field 'full_name'",
    });
  });

  it('check only what the handlers read: other fields, events and actions pass as GitHub sends them', async () => {
    const push = example('push');
    // The schema requires `pusher` and forbids unknown fields; no handler reads either.
    expect(await validator.validate('push', { ...push, pusher: undefined, surprise: true })).toEqual({
      ok: true,
      checked: true,
    });
    expect(
      await validator.validate('issue_comment', { ...example('issue_comment', 'edited'), comment: 1 }),
    ).toEqual({
      ok: true,
      checked: false,
    });
    expect(await validator.validate('star', { hello: 'world' })).toEqual({ ok: true, checked: false });
  });
});

/**
 * Module specifiers a file imports statically at run time (`import … from`, `export … from`; not `import()`
 * and not `import type`, which TypeScript erases).
 */
function staticImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^(?:import|export)\s(?!type\s)[^'"]*?from\s+['"]([^'"]+)['"]/gm)].map(
    (m) => m[1]!,
  );
}

/** Every package a module reaches through static imports of our own sources. */
function reachedPackages(entry: string): Set<string> {
  const packages = new Set<string>();
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const spec of staticImports(file)) {
      if (spec.startsWith('.')) visit(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
      else packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
    }
  };
  visit(entry);
  return packages;
}

describe('start-up paths', () => {
  const src = new URL('../../src/', import.meta.url).pathname;

  it('load neither ajv nor the webhook schemas: the server imports them at its first delivery', () => {
    for (const entry of ['cli.ts', 'server.ts', 'worker.ts']) {
      const reached = reachedPackages(`${src}${entry}`);
      expect(reached.has('probot') || reached.has('commander'), entry).toBe(true);
      expect(
        [...reached].filter((p) => p === 'ajv' || p === '@octokit/webhooks-schemas'),
        entry,
      ).toEqual([]);
    }
  });
});
