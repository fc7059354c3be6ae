# docs-fix: the GitHub App (web) and its workers, from one image.
# Build stage: compile TypeScript. Final stage: production dependencies and the compiled output only.
# Runtime: Node 24 LTS (security fixes until 2028-04-30); Node 20 reached its end of life on 2026-04-30.
# test/ops/dockerfile.test.ts runs these exact commands without Docker (build, start, health, SIGTERM), on
# the Node line named in FROM (installed from the npm registry when the machine runs another).
FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json ./
# Only what the product needs: the benchmarks and demo under scripts/ import test helpers, which stay out.
COPY scripts/copy-assets.js ./scripts/
COPY src ./src
RUN npm run build

FROM node:24-slim
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY app.yml ./
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 CMD ["node", "dist/src/healthcheck.js"]
CMD ["node", "dist/src/server.js"]
