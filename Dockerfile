# Tollgate: the gateway, API and dashboard in one image.
#
#   docker build -t tollgate .        (or: podman build --format docker -t tollgate .)
#   docker run -p 4000:4000 -v tollgate-data:/data tollgate
#
# Stages: `npm` brings npm to the version that wrote package-lock.json, `deps` installs the
# server's production dependencies only, `build` installs everything and bundles the server and
# the dashboard, and the runtime stage copies just those two results onto the base image. Dev
# dependencies, tests, benches and TypeScript sources stay in the build stages.
#
# BASE_IMAGE must carry Node 20 (>= 20.19, as package.json's engines say) and npm at
# /usr/local/bin, and Debian's useradd, as the official image does. CI builds its own such base
# (no registry is reachable there): see scripts/image-smoke.sh.
ARG BASE_IMAGE=node:20-bookworm-slim

# package-lock.json is written by npm 11, and Node 20 ships npm 10, whose `npm ci` reads it as
# out of sync (overrides and nested optional packages): the install stages use npm 11.
FROM ${BASE_IMAGE} AS npm
ARG NPM_VERSION=11.19.1
RUN npm install --global --no-audit --no-fund "npm@${NPM_VERSION}"

FROM npm AS deps
WORKDIR /app
# Only the manifests: this layer is rebuilt when dependencies change, not when code does.
COPY package.json package-lock.json ./
COPY packages/core/package.json packages/core/
COPY packages/sdk/package.json packages/sdk/
COPY packages/server/package.json packages/server/
COPY packages/web/package.json packages/web/
# The server bundle inlines the workspace packages (@tollgate/core ...) and leaves npm packages
# external: this installs exactly what it imports. No package needs an install script.
RUN npm ci --omit=dev --ignore-scripts --workspace packages/server \
      --prefer-offline --no-audit --no-fund \
 && rm -rf node_modules/@tollgate

# On top of the production tree (chDB's 566 MB library is not unpacked twice): the rest of the
# locked tree, dev dependencies included. `--no-save`: the lockfile is the input, never changed.
FROM deps AS build
RUN npm install --ignore-scripts --prefer-offline --no-audit --no-fund --no-save
COPY tsconfig.json ./
COPY scripts/build.mjs scripts/
COPY packages packages
# packages/server/dist (main.js and the meta-store migrations) and packages/web/dist.
RUN node scripts/build.mjs

FROM ${BASE_IMAGE}
RUN groupadd --system --gid 10001 tollgate \
 && useradd --system --uid 10001 --gid tollgate --home-dir /app --no-create-home \
      --shell /usr/sbin/nologin tollgate \
 && mkdir /data \
 && chown tollgate:tollgate /data
WORKDIR /app
COPY --from=deps /app/node_modules node_modules
COPY --from=build /app/packages/server/package.json packages/server/
COPY --from=build /app/packages/server/dist packages/server/dist
COPY --from=build /app/packages/web/package.json packages/web/
COPY --from=build /app/packages/web/dist packages/web/dist
# Listens on every interface (the container's port is what gets published); the data (embedded
# event and meta stores, spool, call journal, generated secret key) lives on the volume.
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=4000 \
    TOLLGATE_DATA_DIR=/data
VOLUME /data
EXPOSE 4000
USER tollgate
# Node itself is process 1 and handles SIGTERM: it stops taking requests, flushes the event
# writer and the call journal, closes the stores and exits 0 (an acknowledged event is already
# committed, so nothing acknowledged is lost).
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 4000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Other commands of the CLI run the same way: `docker run --rm tollgate --help`.
ENTRYPOINT ["node", "/app/packages/server/dist/main.js"]
CMD ["serve"]
