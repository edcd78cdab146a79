# flatfile-audit worker image. The token is never baked in: it comes from a Docker secret file
# (FLATFILE_TOKEN_FILE) or the environment at run time.
# Node 24, the Active LTS line (Node 20 reached end of life in April 2026); package.json keeps
# engines at >= 20, so the code itself still runs on 20 and 22.
FROM node:24-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 downloads a prebuilt binary when it can and compiles otherwise.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY bin ./bin
COPY src ./src
COPY jobs ./jobs
# `npm ci` compiles to dist/ through the prepare script; then drop the build-only packages.
RUN npm ci --no-audit --no-fund && npm prune --omit=dev --no-audit --no-fund

FROM node:24-bookworm-slim
# The ops port binds 127.0.0.1 (the worker's default) unless AUDIT_HTTP_HOST says otherwise: a
# container run with --network host must not open /metrics and /queues to the network by surprise.
# docker-compose.yml sets AUDIT_HTTP_HOST=0.0.0.0 and publishes the port on the host's 127.0.0.1.
ENV NODE_ENV=production \
    AUDIT_DB=/data/audit.db \
    AUDIT_HTTP_PORT=9464
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
RUN install -d -m 0700 -o node -g node /data
USER node
VOLUME ["/data"]
EXPOSE 9464
# Unhealthy also when syncing has stopped (stale data, schedule gone, queue paused): see README, /healthz.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.AUDIT_HTTP_PORT || 9464) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "bin/flatfile-audit.js"]
CMD ["worker"]
