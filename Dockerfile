# syntax=docker/dockerfile:1

# ---- build: install everything, build the gateway and the web app ----
FROM node:20-bookworm-slim AS build
WORKDIR /app
ENV CI=true NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false
COPY package.json package-lock.json ./
COPY libs/sync/package.json libs/sync/
COPY libs/kube-sandbox/package.json libs/kube-sandbox/
COPY libs/store/package.json libs/store/
COPY apps/api/package.json apps/api/
COPY apps/web/package.json apps/web/
COPY test/package.json test/
COPY tools/kube-env/package.json tools/kube-env/
RUN npm ci --no-audit --no-fund
COPY . .
RUN npx nx run-many -t build -p api web --output-style=static --skip-sync \
 && npm prune --omit=dev --no-audit --no-fund

# ---- runtime: built output and production dependencies only ----
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production PORT=4280 HOST=0.0.0.0
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json ./
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/libs/sync/package.json libs/sync/
COPY --from=build --chown=node:node /app/libs/sync/dist libs/sync/dist
COPY --from=build --chown=node:node /app/libs/kube-sandbox/package.json libs/kube-sandbox/
COPY --from=build --chown=node:node /app/libs/kube-sandbox/dist libs/kube-sandbox/dist
COPY --from=build --chown=node:node /app/libs/store/package.json libs/store/
COPY --from=build --chown=node:node /app/libs/store/dist libs/store/dist
COPY --from=build --chown=node:node /app/apps/api/package.json apps/api/
COPY --from=build --chown=node:node /app/apps/api/dist apps/api/dist
COPY --from=build --chown=node:node /app/apps/web/dist apps/web/dist
# The base image's unprivileged user; the sandbox kubeconfig goes to its writable tmp dir.
USER node
EXPOSE 4280
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 4280) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "apps/api/dist/main.js"]
