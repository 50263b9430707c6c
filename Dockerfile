# The maskpoint gateway as a container: `maskpoint serve` on every core (one worker per CPU),
# for ECS Fargate behind an Application Load Balancer (infra/lib/fargate-front-door.ts) or any
# container runtime. Configured through its environment:
#   MASKPOINT_S3_BUCKETS               buckets to serve, comma-separated (required)
#   MASKPOINT_GATEWAY_KEYS_SECRET_ARN  gateway keys in Secrets Manager (else a key file in MASKPOINT_HOME)
#   MASKPOINT_TOKEN_KEYS_SECRET_ARN    token keys in Secrets Manager (else a key file in MASKPOINT_HOME)
#   MASKPOINT_RATE_LIMIT_STORE         dynamodb:TABLE | redis:rediss://HOST:PORT | memory (per worker)
#   MASKPOINT_VIEWS_BUCKET             S3 cache bucket of redacted views
#   MASKPOINT_GEO_DB                   a country .mmdb (default: the bundled database)
#   MASKPOINT_TRUSTED_PROXY            alb behind an Application Load Balancer, none otherwise
#   MASKPOINT_WORKERS, MASKPOINT_DRAIN_SECONDS, MASKPOINT_KEEP_ALIVE_TIMEOUT, MASKPOINT_REGION, MASKPOINT_PORT
# The root file system can be read-only: the process writes only to $MASKPOINT_HOME (a volume).

ARG NODE_IMAGE=node:22-slim
# The rule directory baked in, relative to the build context (redaction-rules/ or a folder inside it).
ARG RULES_DIR=redaction-rules

# Bundles the TypeScript CLI into ES modules, one chunk per command (bin/cli-bundle.js; esbuild
# is a dev dependency: this stage only). Scripts are skipped at install, where `prepare` would
# build before the sources are copied; `npm run build` runs it once they are. The rules the image
# ships are copied too: the build caches what YAML reads from them and the checks of their
# patterns beside the chunks (bin/cli-bundle.js), so `serve` starts without redoing that work.
FROM ${NODE_IMAGE} AS build
ARG RULES_DIR
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY functions ./functions
COPY bin ./bin
COPY ${RULES_DIR} ./redaction-rules
RUN npm run build

# The packages the bundle imports at run time, and nothing else.
FROM ${NODE_IMAGE} AS production-dependencies
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE}
ARG RULES_DIR
ENV NODE_ENV=production \
    MASKPOINT_HOST=0.0.0.0 \
    MASKPOINT_PORT=8080 \
    MASKPOINT_RULES_DIR=/app/redaction-rules \
    MASKPOINT_HOME=/var/lib/maskpoint
WORKDIR /app
COPY --from=production-dependencies /build/node_modules ./node_modules
COPY --from=build /build/dist/cli ./dist/cli
COPY ${RULES_DIR} ./redaction-rules
RUN mkdir -p /var/lib/maskpoint && chown node:node /var/lib/maskpoint
VOLUME ["/var/lib/maskpoint"]
# The base image's unprivileged `node` user (uid 1000), numeric so runtimes can check it is not root.
USER 1000:1000
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.MASKPOINT_PORT}/healthz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM drains: the process is gone within MASKPOINT_DRAIN_SECONDS; responses still sending then are aborted.
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "--enable-source-maps", "/app/dist/cli/maskpoint.mjs", "serve"]
