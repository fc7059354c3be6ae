// `npm run openapi:extract`: rewrites test/fixtures/github-openapi.json from the installed, pinned
// @octokit/openapi (test/github/openapi-extract.test.ts fails when the committed extract is stale).
import { writeFileSync } from 'node:fs';
import { buildExtract, EXTRACT_PATH, PLANS, serializeExtract } from './github-openapi/extract.js';

const text = serializeExtract(buildExtract());
writeFileSync(EXTRACT_PATH, text); // run from the repository root, as npm does
process.stdout.write(
  `${EXTRACT_PATH}: ${Math.round(text.length / 1024)} KiB extracted from ${PLANS.join(' and ')}\n`,
);
