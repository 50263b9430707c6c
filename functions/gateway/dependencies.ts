import type { S3Client } from '@aws-sdk/client-s3';
import { createConsoleAuditLog } from '../adapters/console-audit-log.ts';
import { createLocalCredentialStore } from '../adapters/local-credential-store.ts';
import { createLocalDirectorySource, type LocalBucket } from '../adapters/local-directory-source.ts';
import { loadCompiledRuleSetChecks, loadRuleCatalog } from '../adapters/local-rule-set-source.ts';
import { createLocalTokenKeyring } from '../adapters/local-token-keyring.ts';
import { resolveMaskpointHome } from '../adapters/maskpoint-home.ts';
import { DEFAULT_GEO_DATABASE, openMaxmindGeoLookup } from '../adapters/maxmind-geo-lookup.ts';
import { createMemoryRateLimiter } from '../adapters/memory-rate-limiter.ts';
import { openRedactionStream } from '../adapters/node-redaction-stream.ts';
import type { AuditLog } from '../core/ports/audit-log.ts';
import type { CredentialStore } from '../core/ports/credential-store.ts';
import type { ObjectSource } from '../core/ports/object-source.ts';
import type { RateLimiter } from '../core/ports/rate-limiter.ts';
import type { TokenKeyring } from '../core/ports/token-keyring.ts';
import type { ViewStore } from '../core/ports/view-store.ts';
import { compileRegistry } from '../core/rule-registry.ts';
import { viewKeyIds } from '../core/views/object-views.ts';
import { DEFAULT_VIEW_BUDGET_MS } from '../core/views/served-views.ts';
import { createViewMaterializer } from '../core/views/view-materializer.ts';
import type { GatewayDependencies } from './gateway.ts';
import type { OriginSecret } from './trusted-client-ip.ts';

/** Hosts under which `bucket.<host>` is read as virtual-hosted addressing when none are configured. */
export const DEFAULT_BASE_HOSTS: readonly string[] = ['localhost'];

/** How a gateway is put together; everything not given has a local default. */
export interface GatewayOptions {
  /** Directory of rule files; invalid rules refuse the start. */
  readonly rulesDir: string;
  readonly region: string;
  /** Buckets served from local directories: name → directory (or directory and options). */
  readonly localBuckets?: ReadonlyMap<string, string | LocalBucket>;
  /** Buckets read from S3 with `s3Client`. */
  readonly s3Buckets?: readonly string[];
  /** @default - createS3Client(process.env), made only when `s3Buckets` is not empty */
  readonly s3Client?: S3Client;
  /** @default - the local key file in $MASKPOINT_HOME */
  readonly credentials?: CredentialStore;
  /** Token keys for hash and tokenize actions. @default - the local key file in $MASKPOINT_HOME */
  readonly keyring?: TokenKeyring;
  /** @default - in-process counters */
  readonly rateLimiter?: RateLimiter;
  /** An .mmdb country database. @default - DEFAULT_GEO_DATABASE */
  readonly geoDatabase?: string;
  /** @default - one JSON line per request on stdout */
  readonly audit?: AuditLog;
  /** @default - DEFAULT_BASE_HOSTS */
  readonly baseHosts?: readonly string[];
  /** @default - no CloudFront in front: the viewer host header is never trusted */
  readonly originSecret?: OriginSecret | undefined;
  /**
   * Where redacted views are kept: HEAD and LIST then answer exact sizes and MD5 ETags, and ranges
   * are read from the views. @default - no store: HEAD redacts to count, LIST has no sizes
   */
  readonly views?: ViewStore | undefined;
  /** How long HEAD, LIST and range GETs wait for a missing view (then 503 SlowDown). @default DEFAULT_VIEW_BUDGET_MS */
  readonly viewBudgetMs?: number | undefined;
  /** Answer ListBuckets with the caller's buckets. @default false - refused */
  readonly allowListBuckets?: boolean | undefined;
}

/**
 * Wires a gateway: rules (checked all or nothing; compiled once, a shipped rule set the CLI
 * bundle's build compiled on its first use), credential store, object source,
 * rate limiter, geo lookup, audit log, the redaction engine and, when given a view store, the
 * materializer of this process over it. The AWS SDK is loaded only when S3 buckets are served:
 * `npm start` (local directories) answers its first request without it.
 *
 * @throws RuleValidationError when any rule file is invalid.
 */
export async function createGatewayDependencies(options: GatewayOptions): Promise<GatewayDependencies> {
  const localBuckets = options.localBuckets ?? new Map<string, string>();
  const s3Buckets = options.s3Buckets ?? [];
  const keyring = options.keyring ?? createLocalTokenKeyring(resolveMaskpointHome());
  const keys = await keyring.load();
  const { views } = options;
  return {
    rules: compileRegistry(await loadRuleCatalog(options.rulesDir), keys, await loadCompiledRuleSetChecks()),
    tokenKeyIds: viewKeyIds(keys),
    views:
      views === undefined
        ? undefined
        : {
            store: views,
            materializer: createViewMaterializer(views),
            budgetMs: options.viewBudgetMs ?? DEFAULT_VIEW_BUDGET_MS,
          },
    credentials: options.credentials ?? createLocalCredentialStore(resolveMaskpointHome()),
    source: routeByBucket(
      createLocalDirectorySource(localBuckets),
      s3Buckets.length > 0 ? await openS3ObjectSource(options.s3Client) : undefined,
      localBuckets,
    ),
    rateLimiter: options.rateLimiter ?? createMemoryRateLimiter(),
    geo: await openMaxmindGeoLookup(options.geoDatabase ?? DEFAULT_GEO_DATABASE),
    audit: options.audit ?? createConsoleAuditLog(),
    openRedaction: openRedactionStream,
    region: options.region,
    buckets: new Set([...localBuckets.keys(), ...s3Buckets]),
    baseHosts: options.baseHosts ?? DEFAULT_BASE_HOSTS,
    originSecret: options.originSecret,
    allowListBuckets: options.allowListBuckets,
  };
}

async function openS3ObjectSource(client: S3Client | undefined): Promise<ObjectSource> {
  const { createS3Client, createS3ObjectSource } = await import('../adapters/s3-object-source.ts');
  return createS3ObjectSource(client ?? createS3Client());
}

/** Local directories for their buckets, S3 for the rest. */
function routeByBucket(
  local: ObjectSource,
  s3: ObjectSource | undefined,
  localBuckets: ReadonlyMap<string, string | LocalBucket>,
): ObjectSource {
  if (s3 === undefined) return local;
  const pick = (bucket: string) => (localBuckets.has(bucket) ? local : s3);
  return {
    getObject: (location, conditions) => pick(location.bucket).getObject(location, conditions),
    headObject: (location, conditions) => pick(location.bucket).headObject(location, conditions),
    listObjects: (request) => pick(request.bucket).listObjects(request),
  };
}
