# Passerelle — production image. Built and run by docker-compose.yml (app + PostgreSQL + Meilisearch).
# tsx is a runtime dependency (the app runs its TypeScript directly), so `npm ci --omit=dev` is enough.
# Node 24 (LTS, supported until April 2028): the version the image is meant for; see README "Supported Node versions".
FROM node:24-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# npm ci's postinstall applies them (patch-package).
COPY patches ./patches
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:24-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/data
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY . .
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s \
  CMD node -e "fetch('http://127.0.0.1:' + process.env.PORT + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
# What `npm start` runs, without npm in between so that SIGTERM reaches the app (graceful shutdown).
CMD ["node", "--import", "tsx", "server/main.ts"]
