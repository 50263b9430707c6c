import { join } from 'node:path';
import { Duration } from 'aws-cdk-lib';
import {
  AllowedMethods,
  CacheHeaderBehavior,
  CachePolicy,
  CacheQueryStringBehavior,
  Function as CloudFrontFunction,
  Distribution,
  FunctionCode,
  FunctionEventType,
  FunctionRuntime,
  GeoRestriction,
  OriginRequestHeaderBehavior,
  OriginRequestPolicy,
  OriginRequestQueryStringBehavior,
  PriceClass,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { FunctionUrlOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { type FunctionUrl, FunctionUrlAuthType, InvokeMode } from 'aws-cdk-lib/aws-lambda';
import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { VIEWER_HOST_HEADER } from '../../functions/gateway/trusted-client-ip.ts';
import { REPOSITORY_ROOT } from './defaults.ts';
import { type GatewayReads, grantGatewayReads, readableObjects } from './gateway-read-grants.ts';
import {
  MaskpointFunction,
  type MaskpointFunctionSettings,
  type RedactionAssets,
} from './maskpoint-function.ts';

/** The header CloudFront adds so the gateway trusts its viewer address, country and host headers. */
export const ORIGIN_SECRET_HEADER = 'x-maskpoint-origin-verify';

/**
 * The viewer-request CloudFront Function that hands the gateway the Host the client signed:
 * CloudFront replaces Host with the function URL's, so it is copied to `x-maskpoint-viewer-host`,
 * overwriting whatever the client sent there (the gateway trusts it only with the origin secret).
 */
export function viewerHostFunctionCode(): string {
  return `function handler(event) {
  const request = event.request;
  const host = request.headers.host;
  if (host) {
    request.headers['${VIEWER_HOST_HEADER}'] = { value: host.value };
  } else {
    delete request.headers['${VIEWER_HOST_HEADER}'];
  }
  return request;
}
`;
}

/** Props of {@link GatewayFrontDoor}. */
export interface GatewayFrontDoorProps extends MaskpointFunctionSettings, GatewayReads {
  readonly redaction: RedactionAssets;
  /** Put CloudFront in front, fenced to these countries (none: no fence). @default - no CloudFront */
  readonly cloudFront?: { readonly allowCountries: readonly string[] } | undefined;
}

/**
 * The S3-compatible gateway: a streaming function URL that verifies SigV4 itself against the
 * gateway key registry (so the URL's own auth is NONE), reading only the protected bucket's
 * configured prefixes. Optionally behind CloudFront, which adds the origin secret header and
 * passes on the Host the client signed (see {@link viewerHostFunctionCode}).
 */
export class GatewayFrontDoor extends Construct {
  readonly handler: MaskpointFunction;
  readonly url: FunctionUrl;
  /** @default - undefined when not configured */
  readonly distribution?: Distribution;
  /** The endpoint clients use: the distribution's when there is one, else the function URL. */
  readonly endpoint: string;
  /** The object ARN patterns (one per read prefix) the gateway's role may read. */
  readonly readableObjects: readonly string[];

  constructor(scope: Construct, id: string, props: GatewayFrontDoorProps) {
    super(scope, id);
    this.readableObjects = readableObjects(props);
    const originSecret = props.cloudFront
      ? new Secret(this, 'OriginSecret', {
          description: 'maskpoint: header value CloudFront adds to reach the gateway',
          generateSecretString: { excludePunctuation: true, passwordLength: 48 },
        })
      : undefined;
    this.handler = new MaskpointFunction(this, 'Handler', {
      logRetention: props.logRetention,
      memoryMb: props.memoryMb,
      reservedConcurrency: props.reservedConcurrency,
      redaction: props.redaction,
      entry: join(REPOSITORY_ROOT, 'functions/gateway/handler.ts'),
      description: `maskpoint S3-compatible gateway for ${props.bucket.bucketName}`,
      environment: {
        MASKPOINT_BUCKETS: props.bucket.bucketName,
        MASKPOINT_TOKEN_KEYS_SECRET_ARN: props.tokenKeys.secretArn,
        MASKPOINT_GATEWAY_KEYS_SECRET_ARN: props.gatewayKeys.secretArn,
        ...(props.rateLimitTable ? { MASKPOINT_RATE_LIMIT_TABLE: props.rateLimitTable.table.tableName } : {}),
        ...(props.viewStore ? { MASKPOINT_VIEWS_BUCKET: props.viewStore.bucket.bucketName } : {}),
        ...(originSecret
          ? {
              MASKPOINT_ORIGIN_SECRET_HEADER: ORIGIN_SECRET_HEADER,
              MASKPOINT_ORIGIN_SECRET: originSecret.secretValue.unsafeUnwrap(),
            }
          : {}),
      },
    });
    grantGatewayReads(this.handler.role, props);
    this.url = this.handler.function.addFunctionUrl({
      authType: FunctionUrlAuthType.NONE,
      invokeMode: InvokeMode.RESPONSE_STREAM,
    });
    if (props.cloudFront && originSecret) {
      this.distribution = this.createDistribution(props.cloudFront.allowCountries, originSecret);
      this.endpoint = `https://${this.distribution.distributionDomainName}`;
    } else {
      this.endpoint = this.url.url;
    }
  }

  private createDistribution(allowCountries: readonly string[], originSecret: ISecret): Distribution {
    // Every request is signed and answered per caller: nothing is shared from the cache.
    const cachePolicy = new CachePolicy(this, 'CachePolicy', {
      comment: 'maskpoint gateway: signed requests, keyed by their signature',
      minTtl: Duration.seconds(0),
      defaultTtl: Duration.seconds(0),
      maxTtl: Duration.seconds(1),
      // Authorization reaches the origin only through the cache key; the viewer host does too,
      // because the origin request policy already holds its quota of 10 headers.
      headerBehavior: CacheHeaderBehavior.allowList('Authorization', VIEWER_HOST_HEADER),
      queryStringBehavior: CacheQueryStringBehavior.all(),
    });
    const originRequestPolicy = new OriginRequestPolicy(this, 'OriginRequestPolicy', {
      comment: 'maskpoint gateway: SigV4 and conditional headers, viewer address and country',
      headerBehavior: OriginRequestHeaderBehavior.allowList(
        'x-amz-date',
        'x-amz-content-sha256',
        'x-amz-security-token',
        'range',
        'if-match',
        'if-none-match',
        'if-modified-since',
        'if-unmodified-since',
        'CloudFront-Viewer-Address',
        'CloudFront-Viewer-Country',
      ),
      queryStringBehavior: OriginRequestQueryStringBehavior.all(),
    });
    const viewerHost = new CloudFrontFunction(this, 'ViewerHostFunction', {
      comment: 'maskpoint gateway: pass the Host the client signed on to the gateway',
      runtime: FunctionRuntime.JS_2_0,
      code: FunctionCode.fromInline(viewerHostFunctionCode()),
    });
    return new Distribution(this, 'Distribution', {
      comment: 'maskpoint gateway',
      priceClass: PriceClass.PRICE_CLASS_100,
      geoRestriction: allowCountries.length > 0 ? GeoRestriction.allowlist(...allowCountries) : undefined,
      defaultBehavior: {
        origin: new FunctionUrlOrigin(this.url, {
          customHeaders: { [ORIGIN_SECRET_HEADER]: originSecret.secretValue.unsafeUnwrap() },
        }),
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
        cachePolicy,
        originRequestPolicy,
        functionAssociations: [{ function: viewerHost, eventType: FunctionEventType.VIEWER_REQUEST }],
      },
    });
  }
}
