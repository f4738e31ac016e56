# Gridbook: one image for the web and worker processes (and the one-shot setup).
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
# pg_dump and pg_restore, for npm run db:backup / db:restore.
RUN apt-get update && apt-get install -y --no-install-recommends postgresql-client && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# The web and worker processes run the JavaScript build (npm run build); one-shot commands
# (setup, migrate, backups) run the TypeScript through tsx. Dev dependencies are for tests only.
RUN npm ci --omit=dev && npm cache clean --force
COPY tsconfig.json ./
COPY src ./src
COPY admin ./admin
COPY migrations ./migrations
# The admin panel's components are bundled at build time; the server never bundles in production.
RUN npm run build && npm run admin:bundle && mkdir -p /app/var/storage && chown -R node:node /app/var /app/build
USER node
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=3s CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
CMD ["npm", "run", "web"]
