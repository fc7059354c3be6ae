// What bench:webhooks and bench:fleet share to run the app as users deploy it: the package root, the
// `docs-fix worker` command, and the environment of the web server and its worker processes.
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SIM_MODEL_ID } from '../../src/model/sim-server.js';
import { testPrivateKey, WEBHOOK_SECRET } from '../../test/server/stack.js';

const here = dirname(fileURLToPath(import.meta.url));

/** The nearest folder above these scripts that holds package.json. */
export function packageRoot(): string {
  let dir = here;
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  return dir;
}

/** The `docs-fix worker` entry: the compiled CLI next to this compiled script, or src/cli.ts through vite-node. */
export function workerCommand(): string[] {
  const compiled = join(here, '../../src/cli.js');
  if (here.includes(join('dist', 'scripts')) && existsSync(compiled)) return [compiled, 'worker'];
  const root = packageRoot();
  return [join(root, 'node_modules/vite-node/vite-node.mjs'), join(root, 'src/cli.ts'), 'worker'];
}

/**
 * The app's environment against the fake GitHub and the simulator: Probot's write throttling off (the fake is
 * not api.github.com), no workers in the web server, and `redis` naming the Redis (REDIS_URL or
 * REDIS_CLUSTER_NODES).
 */
export function appEnv(input: {
  readonly fake: { readonly app: { readonly id: number }; readonly baseUrl: string };
  readonly modelBaseUrl: string;
  readonly redis: Readonly<Record<string, string | undefined>>;
  readonly prefix: string;
}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    APP_ID: String(input.fake.app.id),
    PRIVATE_KEY: testPrivateKey(),
    WEBHOOK_SECRET,
    GITHUB_API_URL: input.fake.baseUrl,
    DOCS_FIX_GITHUB_THROTTLE: 'off',
    ...input.redis,
    DOCS_FIX_REDIS_PREFIX: input.prefix,
    DOCS_FIX_PROVIDER: 'openai',
    OPENAI_BASE_URL: input.modelBaseUrl,
    OPENAI_API_KEY: 'sk-bench-0123456789',
    DOCS_FIX_MODEL: SIM_MODEL_ID,
    WORKER_CONCURRENCY: '0',
    LOG_LEVEL: 'warn',
  };
}

/** Delivers one signed push event to the app's webhook endpoint, as GitHub does; answers the HTTP status. */
export async function deliverPush(url: string, body: string, signature: string): Promise<number> {
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-github-event': 'push',
      'x-github-delivery': randomUUID(),
      'x-hub-signature-256': signature,
    },
    body,
  });
  await res.arrayBuffer();
  return res.status;
}
