# One image for the API and the worker (the compose file picks the command). It holds the product
# only: the compiled dist/ (src, workflows, activities) and the workflow bundle built ahead, with
# production dependencies. No TypeScript at run time, no stand-ins, bench or tests.

# Build: the dev dependencies (typescript, tsx, webpack via @temporalio/worker) compile and bundle.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY workflows ./workflows
COPY activities ./activities
COPY scripts/build-workflow-bundle.ts ./scripts/
RUN npm run build

# Runtime: production dependencies and dist/ only.
FROM node:20-bookworm-slim AS runtime
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY --from=build /app/dist ./dist
# The worker runs this bundle instead of bundling the workflow sources at start (there are none here).
ENV WORKFLOW_BUNDLE_PATH=/app/dist/workflow-bundle.js
USER node
EXPOSE 3000
CMD ["node", "dist/src/api/main.js"]
