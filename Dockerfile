# webstack-operator image: build with the full toolchain, run with production dependencies only.
# docker build -t ghcr.io/webstack-dev/webstack-operator:<version> .

FROM node:24 AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM node:24-slim
ENV NODE_ENV=production \
    # The uid below has no passwd entry; libraries that look for a home directory get a writable one
    # (mount an emptyDir at /tmp when the root filesystem is read-only, as the chart does).
    HOME=/tmp
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
# `webstack-operator agent` (beside the server in each database pod) copies MariaDB with mariadb-backup and mbstream;
# backups and point-in-time recovery run the client programs: mariadb-dump, mariadb, mariadb-binlog.
RUN apt-get update && apt-get install -y --no-install-recommends mariadb-backup mariadb-client && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/dist ./dist
COPY crds ./crds
RUN chmod 0755 dist/cli.js && ln -s /app/dist/cli.js /usr/local/bin/webstack-operator
# Non-root, numeric so that runAsNonRoot can verify it without a passwd lookup.
USER 65532:65532
EXPOSE 8080 8081
ENTRYPOINT ["webstack-operator", "run"]
