import cluster from 'node:cluster';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createConsoleAuditLog } from '../adapters/console-audit-log.ts';
import { DEFAULT_RULES_DIR } from '../adapters/default-rules-dir.ts';
import type { LocalBucket } from '../adapters/local-directory-source.ts';
import { exposesMaskpointHome, resolveMaskpointHome } from '../adapters/maskpoint-home.ts';
import { openRateLimitStore } from '../adapters/rate-limit-store.ts';
import { RuleValidationError } from '../core/errors.ts';
import type { GatewayKey } from '../core/ports/credential-store.ts';
import type { ViewStore } from '../core/ports/view-store.ts';
import { forkGatewayCluster, runClusterWorker, startAllowed } from '../gateway/cluster.ts';
import { compileRuleSetsWhenIdle } from '../gateway/compile-rule-sets-when-idle.ts';
import { responseDeadlineMs } from '../gateway/graceful-drain.ts';
import type { GatewayServer } from '../gateway/server.ts';
import { DEFAULT_SERVER_LIMITS, type ServerLimits } from '../gateway/server-limits.ts';
import { serveArgsFromEnvironment } from './serve-environment.ts';
import { PRODUCTION_SERVE_OPTIONS, parseProductionServeOptions } from './serve-production-options.ts';
import { serveSettingsLines } from './serve-settings.ts';
import { UsageError } from './usage-error.ts';
import { openViewStore, VIEW_STORE_OPTIONS, type ViewStoreOptionValues } from './view-store-options.ts';

/** Name of the key created on the first start, when no gateway key exists yet. */
export const DEMO_KEY_NAME = 'demo';

const OPTIONS = {
  port: { type: 'string', default: '9000' },
  host: { type: 'string', default: '127.0.0.1' },
  bucket: { type: 'string', multiple: true, default: [] as string[] },
  'allow-dot-files': { type: 'string', multiple: true, default: [] as string[] },
  's3-bucket': { type: 'string', multiple: true, default: [] as string[] },
  'allow-list-buckets': { type: 'boolean', default: false },
  rules: { type: 'string', default: DEFAULT_RULES_DIR },
  region: { type: 'string', default: 'us-east-1' },
  'headers-timeout': { type: 'string' },
  'request-timeout': { type: 'string' },
  'keep-alive-timeout': { type: 'string' },
  'write-stall-timeout': { type: 'string' },
  'max-connections': { type: 'string' },
  ...VIEW_STORE_OPTIONS,
  'no-views': { type: 'boolean', default: false },
  'view-budget': { type: 'string' },
  ...PRODUCTION_SERVE_OPTIONS,
} as const;

/** A started gateway and the drain deadline it was given (`--drain-seconds`). */
export interface ServingGateway extends GatewayServer {
  readonly drainDeadlineMs: number;
}

/**
 * Where `startServe` runs: `in-process` serves from the calling process (tests, and the command
 * with `--workers 1`); `command` is the CLI, which with more workers becomes a node:cluster
 * primary, or is one of its workers.
 */
export type ServeRole = 'in-process' | 'command';

/**
 * `maskpoint serve`: the S3-compatible gateway on a local port until SIGINT or SIGTERM.
 * One audit line per request goes to stdout.
 */
export async function serveCommand(args: string[]): Promise<number> {
  const write = (text: string) => process.stdout.write(text);
  if (cluster.isWorker) {
    // Loaded while the primary checks the rules; a failure is reported where they are used.
    for (const loading of [importDependencies(), importServer()]) loading.catch(() => {});
    await startAllowed();
    const server = await startServe(args, write, 'command');
    return runClusterWorker(server, server.drainDeadlineMs);
  }
  // Listening before the server starts: a signal during startup still stops it cleanly.
  const shutdown = onShutdownSignal();
  try {
    const server = await startServe(args, write, 'command');
    const signal = await shutdown.received;
    const responsesMs = responseDeadlineMs(server.drainDeadlineMs);
    write(
      `maskpoint: ${signal} received, stopping the gateway (in-flight responses get ${responsesMs / 1000} s)\n`,
    );
    const { inFlight, aborted } = await server.drain(responsesMs);
    write(`maskpoint: stopped; ${inFlight} responses were in flight, ${aborted} aborted at the deadline\n`);
    await server.close();
    return 0;
  } finally {
    shutdown.dispose();
  }
}

let dependencyModules:
  | Promise<
      [
        typeof import('../gateway/dependencies.ts'),
        typeof import('../adapters/keys-from-env.ts'),
        typeof import('../adapters/local-credential-store.ts'),
      ]
    >
  | undefined;
let serverModule: Promise<typeof import('../gateway/server.ts')> | undefined;

/**
 * The rule engine and the key stores, imported when first needed rather than with this module:
 * a cluster primary forks its workers (which load the CLI again) before it loads them.
 */
function importDependencies(): NonNullable<typeof dependencyModules> {
  dependencyModules ??= Promise.all([
    import('../gateway/dependencies.ts'),
    import('../adapters/keys-from-env.ts'),
    import('../adapters/local-credential-store.ts'),
  ]);
  return dependencyModules;
}

/** The HTTP server, which a cluster primary, serving nothing, never loads. */
function importServer(): NonNullable<typeof serverModule> {
  serverModule ??= import('../gateway/server.ts');
  return serverModule;
}

function onShutdownSignal(): { received: Promise<NodeJS.Signals>; dispose(): void } {
  let resolveSignal: (signal: NodeJS.Signals) => void = () => {};
  const received = new Promise<NodeJS.Signals>((resolve) => {
    resolveSignal = resolve;
  });
  process.on('SIGINT', resolveSignal);
  process.on('SIGTERM', resolveSignal);
  return {
    received,
    dispose() {
      process.off('SIGINT', resolveSignal);
      process.off('SIGTERM', resolveSignal);
    },
  };
}

/**
 * Validates the options and rules, starts the gateway and prints how to reach it: on the first
 * start (no gateway key yet) it creates a `demo` key for the served buckets and prints it with a
 * ready-to-run AWS CLI line and SDK snippet.
 *
 * A local bucket never serves names starting with `.` unless `--allow-dot-files NAME` says so,
 * and no local bucket may serve the key home or the view directory (refused before anything
 * starts). Redacted views are kept in `--views DIR` (default `$MASKPOINT_HOME/views`, capped at
 * `--views-max`) or `--views-s3 s3://BUCKET/PREFIX`, and waited for at most `--view-budget`
 * seconds; `--no-views` keeps none (HEAD then redacts to count, LIST has no sizes).
 *
 * @throws UsageError for wrong options, or a bucket directory that is, holds or lies inside the
 *   key home or the view directory; RuleValidationError when the rules are invalid (nothing is
 *   started).
 */
export async function startServe(
  args: string[],
  write: (text: string) => void,
  role: ServeRole = 'in-process',
): Promise<ServingGateway> {
  const { values } = parseArgs({
    args: [...serveArgsFromEnvironment(process.env, OPTIONS), ...args],
    options: OPTIONS,
    allowPositionals: false,
  });
  const port = parsePort(values.port);
  const limits = parseLimits(values);
  const production = parseProductionServeOptions(values);
  const workers = role === 'command' ? production.workers : 1;
  const isWorker = role === 'command' && cluster.isWorker;
  const isPrimary = workers > 1 && !isWorker;
  const directories = new Map(values.bucket.map(parseBucket));
  const s3Buckets = values['s3-bucket'];
  const buckets = [...directories.keys(), ...s3Buckets];
  if (buckets.length === 0)
    throw new UsageError('serve needs at least one --bucket NAME=DIR or --s3-bucket NAME');
  const dotFileBuckets = new Set(values['allow-dot-files']);
  for (const name of dotFileBuckets) {
    if (!directories.has(name))
      throw new UsageError(`--allow-dot-files "${name}": expected the NAME of a --bucket NAME=DIR`);
  }
  const home = resolveMaskpointHome();
  for (const [name, directory] of directories) {
    if (await exposesMaskpointHome(directory, home)) {
      throw new UsageError(
        `refusing to start: --bucket ${name}=${directory} would serve the key home ${home} (gateway and token keys); serve a directory that neither holds it nor lies inside it, or move it with MASKPOINT_HOME`,
      );
    }
  }
  const localBuckets = new Map<string, LocalBucket>(
    [...directories].map(([name, directory]) => [
      name,
      { directory, allowDotFiles: dotFileBuckets.has(name) },
    ]),
  );
  const views = await serveViewStore(values, directories, home);
  const keysSecret = process.env.MASKPOINT_GATEWAY_KEYS_SECRET_ARN || undefined;
  // The primary serves nothing: counters (and a Redis connection) are the workers'.
  const rateLimits = isPrimary ? undefined : await openRateLimitStore(production.rateLimitStore);
  const viewBudgetMs = parseViewBudget(values['view-budget']);
  // Forked now, before the rule engine is loaded, to load the CLI while the primary loads the
  // rules and keys (creating local token keys once); they start serving only when the primary
  // has, and the rules are valid.
  const workerCluster = isPrimary ? forkGatewayCluster({ workers, write }) : undefined;
  const prepare = async () => {
    const [
      { createGatewayDependencies },
      { credentialStoreFromEnv, tokenKeyringFromEnv },
      { createLocalCredentialStore },
    ] = await importDependencies();
    const localStore = keysSecret === undefined ? createLocalCredentialStore(home) : undefined;
    const deps = await createGatewayDependencies({
      rulesDir: values.rules,
      region: values.region,
      localBuckets,
      s3Buckets,
      credentials: localStore ?? (await credentialStoreFromEnv(process.env)),
      keyring: await tokenKeyringFromEnv(process.env),
      rateLimiter: rateLimits?.limiter,
      geoDatabase: production.geoDatabase,
      audit: createConsoleAuditLog(write),
      views: views.store,
      viewBudgetMs,
      allowListBuckets: values['allow-list-buckets'],
    }).catch((error: unknown) => {
      if (!(error instanceof RuleValidationError)) throw error;
      throw new RuleValidationError(
        `refusing to start: the rules in ${values.rules} are invalid\n${error.message}`,
        { cause: error },
      );
    });
    const existingKeys = await localStore?.list();
    // Only a local key file gets a demo key, never a deployed registry (its secret would be logged).
    const demoKey =
      localStore !== undefined && existingKeys?.length === 0 && !isWorker
        ? await localStore.create(DEMO_KEY_NAME, buckets)
        : undefined;
    return { deps, existingKeys, demoKey };
  };
  const { deps, existingKeys, demoKey } = await prepare().catch(async (error: unknown) => {
    await rateLimits?.close();
    await workerCluster?.abort();
    throw error;
  });
  const server = await (
    workerCluster?.start() ??
    importServer().then(({ startGatewayServer }) =>
      startGatewayServer({ host: values.host, port, deps, limits, trustedProxy: production.trustedProxy }),
    )
  ).catch(async (error: unknown) => {
    await rateLimits?.close();
    throw error;
  });
  const serving: ServingGateway = {
    ...server,
    drainDeadlineMs: production.drainDeadlineMs,
    close: async () => {
      await server.close();
      await rateLimits?.close();
    },
  };
  // A primary serves nothing: its rules were only checked.
  if (!isPrimary) compileRuleSetsWhenIdle(deps.rules, write, server.activity);
  if (isWorker) return serving;
  const lines = [
    `maskpoint gateway listening on ${server.url} (region ${values.region})`,
    ...[...localBuckets].map(
      ([name, bucket]) =>
        `  bucket ${name} → ${bucket.directory}${bucket.allowDotFiles ? ' (dot-files served)' : ''}`,
    ),
    ...s3Buckets.map((name) => `  bucket ${name} → s3://${name}`),
    `  rules ${values.rules} (${deps.rules.ruleSets.length} rule sets)`,
    `  views ${views.description}`,
    ...serveSettingsLines({
      workers,
      production,
      limits: { ...DEFAULT_SERVER_LIMITS, ...limits },
      keysLocation: keysSecret ?? home,
      tokenKeysLocation: process.env.MASKPOINT_TOKEN_KEYS_SECRET_ARN || home,
    }),
    '',
    ...(existingKeys === undefined
      ? [`Gateway keys: the registry in ${keysSecret} (maskpoint keys create|list|revoke --secret-id …).`]
      : demoKey === undefined
        ? keyHelp(existingKeys.filter((key) => !key.isRevoked).length, home)
        : demoKeyHelp(
            demoKey,
            server.url,
            values.region,
            exampleKey(directories, buckets[0] as string),
            home,
          )),
    ...(views.store === undefined
      ? [
          '',
          'Without views, aws s3 ls / cp / sync lack object sizes, which a redacting proxy cannot know in advance: use aws s3api.',
        ]
      : []),
    '',
  ];
  write(`${lines.join('\n')}\n`);
  return serving;
}

/**
 * The view store the options name and how to describe it; none with `--no-views`. A local view
 * directory must not overlap a served bucket: its files would be listed and served as objects.
 */
async function serveViewStore(
  values: ViewStoreOptionValues & { readonly 'no-views': boolean },
  directories: ReadonlyMap<string, string>,
  home: string,
): Promise<{ store: ViewStore | undefined; description: string }> {
  if (values['no-views']) {
    if (values.views !== undefined || values['views-s3'] !== undefined) {
      throw new UsageError('give --views or --views-s3, or --no-views, not both');
    }
    return { store: undefined, description: 'none (--no-views): HEAD redacts to count, LIST has no sizes' };
  }
  const s3 = values['views-s3'];
  const views = s3 === undefined ? resolve(values.views ?? join(home, 'views')) : undefined;
  for (const [name, directory] of directories) {
    if (views !== undefined && (await exposesMaskpointHome(directory, views))) {
      throw new UsageError(
        `refusing to start: --bucket ${name}=${directory} would serve the view directory ${views}; keep the views outside every served directory`,
      );
    }
  }
  return {
    store: await openViewStore({ ...values, views }, async () =>
      (await import('../adapters/s3-object-source.ts')).createS3Client(),
    ),
    description: s3 ?? `${views} (at most ${values['views-max']})`,
  };
}

function parseViewBudget(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+(\.\d+)?$/.test(value)) {
    throw new UsageError(`--view-budget "${value}": expected a number of seconds`);
  }
  return Math.ceil(Number(value) * 1000);
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d{1,5}$/.test(value) || port > 65_535) throw new UsageError(`--port "${value}": expected 0–65535`);
  return port;
}

/** The server limit flags: timeouts in seconds (fractions allowed), the connection cap as a count. */
function parseLimits(values: Partial<Record<keyof typeof OPTIONS, unknown>>): Partial<ServerLimits> {
  const limits: { -readonly [K in keyof ServerLimits]?: number } = {};
  const seconds = (flag: keyof typeof OPTIONS, field: keyof ServerLimits) => {
    const value = values[flag];
    if (typeof value !== 'string') return;
    if (!/^\d+(\.\d+)?$/.test(value) || Number(value) <= 0) {
      throw new UsageError(`--${flag} "${value}": expected a number of seconds greater than 0`);
    }
    limits[field] = Math.ceil(Number(value) * 1000);
  };
  seconds('headers-timeout', 'headersTimeoutMs');
  seconds('request-timeout', 'requestTimeoutMs');
  seconds('keep-alive-timeout', 'keepAliveTimeoutMs');
  seconds('write-stall-timeout', 'writeStallTimeoutMs');
  const connections = values['max-connections'];
  if (typeof connections === 'string') {
    if (!/^[1-9]\d{0,6}$/.test(connections)) {
      throw new UsageError(`--max-connections "${connections}": expected a whole number from 1 to 9999999`);
    }
    limits.maxConnections = Number(connections);
  }
  const { headersTimeoutMs, requestTimeoutMs } = { ...DEFAULT_SERVER_LIMITS, ...limits };
  if (headersTimeoutMs > requestTimeoutMs) {
    throw new UsageError(
      `--headers-timeout (${headersTimeoutMs / 1000} s) must not exceed --request-timeout (${requestTimeoutMs / 1000} s)`,
    );
  }
  return limits;
}

function parseBucket(value: string): [string, string] {
  const match = /^([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])=(.+)$/.exec(value);
  if (match === null) throw new UsageError(`--bucket "${value}": expected NAME=DIR with an S3 bucket name`);
  return [match[1] as string, resolve(match[2] as string)];
}

/** A key worth showing in the printed commands: the example bucket's CSV when it is served. */
function exampleKey(
  localBuckets: ReadonlyMap<string, string>,
  bucket: string,
): { bucket: string; key: string } {
  const dir = localBuckets.get(bucket);
  return {
    bucket,
    key: dir !== undefined && existsSync(join(dir, 'customers.csv')) ? 'customers.csv' : 'KEY',
  };
}

function keyHelp(active: number, home: string): string[] {
  return [
    `${active} active gateway key${active === 1 ? '' : 's'} in ${home}.`,
    '  list them:    maskpoint keys list',
    '  create one:   maskpoint keys create --name NAME --bucket BUCKET',
  ];
}

function demoKeyHelp(
  key: GatewayKey,
  url: string,
  region: string,
  target: { bucket: string; key: string },
  home: string,
): string[] {
  return [
    `First start: created gateway key "${key.name}" for ${key.buckets.join(', ')} (stored in ${home}).`,
    `  access key id:     ${key.accessKeyId}`,
    `  secret access key: ${key.secretAccessKey}`,
    '',
    'With the AWS CLI:',
    `  AWS_ACCESS_KEY_ID=${key.accessKeyId} AWS_SECRET_ACCESS_KEY=${key.secretAccessKey} AWS_DEFAULT_REGION=${region} aws s3api get-object --endpoint-url ${url} --bucket ${target.bucket} --key ${target.key} /dev/stdout`,
    '',
    'With @aws-sdk/client-s3:',
    "  import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';",
    `  const credentials = { accessKeyId: '${key.accessKeyId}', secretAccessKey: '${key.secretAccessKey}' };`,
    `  const s3 = new S3Client({ endpoint: '${url}', region: '${region}', forcePathStyle: true, credentials });`,
    `  const object = await s3.send(new GetObjectCommand({ Bucket: '${target.bucket}', Key: '${target.key}' }));`,
    '  console.log(await object.Body?.transformToString());',
  ];
}
