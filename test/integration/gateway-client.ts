import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { SignatureV4 } from '@smithy/signature-v4';
import {
  createLocalCredentialStore,
  type LocalCredentialStore,
} from '../../functions/adapters/local-credential-store.ts';
import type { AuditEvent } from '../../functions/core/ports/audit-log.ts';
import type { GatewayKey } from '../../functions/core/ports/credential-store.ts';
import { createGatewayDependencies, type GatewayOptions } from '../../functions/gateway/dependencies.ts';
import type { GatewayDependencies, GatewayRequest } from '../../functions/gateway/gateway.ts';
import { NodeSha256 } from '../../functions/gateway/node-sha256.ts';
import { type GatewayServer, startGatewayServer } from '../../functions/gateway/server.ts';

/** A gateway on 127.0.0.1 with its own temporary MASKPOINT_HOME, key store and captured audit events. */
export interface TestGateway {
  readonly server: GatewayServer;
  readonly deps: GatewayDependencies;
  readonly store: LocalCredentialStore;
  readonly audit: AuditEvent[];
  stop(): Promise<void>;
}

/**
 * Starts an in-process gateway. MASKPOINT_HOME points at a fresh temporary directory for the
 * token keyring and the gateway keys, and is restored by `stop()`.
 */
export async function startTestGateway(
  options: Omit<GatewayOptions, 'region' | 'audit' | 'credentials'>,
): Promise<TestGateway> {
  const home = mkdtempSync(join(tmpdir(), 'maskpoint-gateway-'));
  const previousHome = process.env.MASKPOINT_HOME;
  process.env.MASKPOINT_HOME = home;
  const store = createLocalCredentialStore(home);
  const audit: AuditEvent[] = [];
  const deps = await createGatewayDependencies({
    ...options,
    region: 'us-east-1',
    credentials: store,
    audit: { record: (event) => audit.push(event) },
  });
  const server = await startGatewayServer({ host: '127.0.0.1', port: 0, deps });
  return {
    server,
    deps,
    store,
    audit,
    async stop() {
      await server.close();
      if (previousHome === undefined) delete process.env.MASKPOINT_HOME;
      else process.env.MASKPOINT_HOME = previousHome;
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/** The real SDK client, configured as the gateway's users configure it. */
export function gatewayClient(
  url: string,
  key: Pick<GatewayKey, 'accessKeyId' | 'secretAccessKey'>,
  overrides: { maxAttempts?: number } = {},
): S3Client {
  return new S3Client({
    endpoint: url,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    ...overrides,
  });
}

/**
 * Signs a request with SigV4 in the Authorization header, as the SDK does, and returns it in the
 * gateway's transport-neutral shape (so a test can send it, tamper with it or hand it to
 * `handleGatewayRequest` directly).
 */
export async function signRequest(options: {
  key: Pick<GatewayKey, 'accessKeyId' | 'secretAccessKey'>;
  host: string;
  method?: string;
  path: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
}): Promise<GatewayRequest> {
  const signer = new SignatureV4({
    credentials: { accessKeyId: options.key.accessKeyId, secretAccessKey: options.key.secretAccessKey },
    region: 'us-east-1',
    service: 's3',
    sha256: NodeSha256,
    uriEscapePath: false,
    applyChecksum: false,
  });
  const signed = await signer.sign({
    method: options.method ?? 'GET',
    protocol: 'http:',
    hostname: options.host,
    path: options.path,
    query: options.query ?? {},
    headers: {
      host: options.host,
      'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
      ...options.headers,
    },
  });
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(signed.headers)) headers[name.toLowerCase()] = value;
  const rawQuery = new URLSearchParams(options.query ?? {}).toString().replaceAll('+', '%20');
  return { method: options.method ?? 'GET', rawPath: options.path, rawQuery, headers };
}

/** Sends a transport-neutral request to a running gateway with plain `fetch`. */
export function send(url: string, request: GatewayRequest): Promise<Response> {
  const headers = Object.fromEntries(
    Object.entries(request.headers).filter(
      (entry): entry is [string, string] => entry[1] !== undefined && entry[0] !== 'host',
    ),
  );
  return fetch(`${url}${request.rawPath}${request.rawQuery ? `?${request.rawQuery}` : ''}`, {
    method: request.method,
    headers,
  });
}
