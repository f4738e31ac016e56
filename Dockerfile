# Gridbook: one image for the web and worker processes (and the one-shot setup).

# Build stage: the TypeScript build (dist/) and the admin panel's component bundle, made with the
# development tools (tsx, esbuild), which the image below never installs.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY admin ./admin
COPY migrations ./migrations
RUN npm run build && npm run admin:bundle

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
# Uploaded files: docker-compose.yml mounts a named volume here; a new volume takes the ownership of
# the image's folder, so the `node` user can write to it.
ENV STORAGE_DIR=/data/storage
# pg_dump and pg_restore, for npm run db:backup / db:restore.
RUN apt-get update && apt-get install -y --no-install-recommends postgresql-client && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
# Every process (web, worker and the one-shot commands) runs the JavaScript build. The sources stay
# beside it: the web process checks the build and the component bundle against them.
COPY tsconfig.json ./
COPY src ./src
COPY admin ./admin
COPY migrations ./migrations
COPY --from=build /app/dist ./dist
COPY --from=build /app/build ./build
RUN mkdir -p /app/var/storage /data/storage && chown -R node:node /app/var /app/build /data/storage
USER node
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=3s CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
CMD ["npm", "run", "web"]
