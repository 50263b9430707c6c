import { Logger } from '@aws-lambda-powertools/logger';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PresignPolicy } from '../../../functions/core/presign-policy.ts';
import {
  type PresignerDependencies,
  presignerDependenciesFromEnv,
} from '../../../functions/presigner/dependencies.ts';
import {
  handlePresignRequest,
  type PresignFunctionUrlEvent,
} from '../../../functions/presigner/handle-presign-request.ts';

const SIGNING_SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:maskpoint/signing-AbCdEf';
const SIGNING_KEY = {
  accessKeyId: 'MPKSIGNERSIGNERSIGNE',
  secretAccessKey: 'signing-secret-0123456789abcdefghijklmnopq',
};
const PARTNER = 'arn:aws:sts::111122223333:assumed-role/partner-reader/alice';
const OLAP_ARN = 'arn:aws:s3-object-lambda:eu-west-1:111122223333:accesspoint/reports-olap';

const policy: PresignPolicy = {
  callers: [
    {
      principal: 'arn:aws:sts::111122223333:assumed-role/partner-*/*',
      prefixes: ['exports/'],
      maxExpiresSeconds: 86_400,
    },
  ],
};

const secretsManager = mockClient(SecretsManagerClient);

function gatewayEnv(): NodeJS.ProcessEnv {
  return {
    MASKPOINT_PRESIGN_POLICY: JSON.stringify(policy),
    MASKPOINT_SIGNING_SECRET_ARN: SIGNING_SECRET_ARN,
    MASKPOINT_GATEWAY_ENDPOINT: 'https://abc123.lambda-url.eu-west-1.on.aws',
    MASKPOINT_GATEWAY_REGION: 'eu-west-1',
  };
}

function event(body: unknown, overrides: Partial<PresignFunctionUrlEvent> = {}): PresignFunctionUrlEvent {
  return {
    body: JSON.stringify(body),
    isBase64Encoded: false,
    requestContext: { http: { method: 'POST' }, authorizer: { iam: { userArn: PARTNER } } },
    ...overrides,
  };
}

describe('handlePresignRequest', () => {
  let output: string[];

  beforeEach(() => {
    secretsManager
      .on(GetSecretValueCommand, { SecretId: SIGNING_SECRET_ARN })
      .resolves({ SecretString: JSON.stringify(SIGNING_KEY) });
    output = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      output.push(String(chunk));
      return true;
    });
  });

  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
    secretsManager.reset();
  });

  async function deps(env = gatewayEnv()): Promise<PresignerDependencies> {
    return presignerDependenciesFromEnv(env, {
      secretsManager: new SecretsManagerClient({}),
      logger: new Logger({ serviceName: 'maskpoint-presigner-test', logLevel: 'ERROR' }),
    });
  }

  function auditLines(): Array<Record<string, unknown>> {
    return output
      .join('')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => line.message === 'presign');
  }

  it('issues a path-style gateway URL whose X-Amz-Expires is the requested lifetime', async () => {
    const before = Date.now();
    const response = await handlePresignRequest(
      event({ bucket: 'reports', key: 'exports/q1 2026.csv', expiresSeconds: 7_200 }),
      await deps(),
    );

    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/json');
    const { url, expiresAt } = JSON.parse(response.body) as { url: string; expiresAt: string };
    const parsed = new URL(url);
    expect(parsed.origin).toBe('https://abc123.lambda-url.eu-west-1.on.aws');
    expect(parsed.pathname).toBe('/reports/exports/q1%202026.csv');
    expect(parsed.searchParams.get('X-Amz-Expires')).toBe('7200');
    expect(parsed.searchParams.get('X-Amz-Credential')).toMatch(
      new RegExp(`^${SIGNING_KEY.accessKeyId}/\\d{8}/eu-west-1/s3/aws4_request$`),
    );
    expect(parsed.searchParams.get('X-Amz-SignedHeaders')).toBe('host');
    expect(parsed.searchParams.has('x-amz-checksum-mode')).toBe(false);
    const expiresAtMs = Date.parse(expiresAt);
    expect(expiresAtMs).toBeGreaterThanOrEqual(before + 7_200_000 - 1_000);
    expect(expiresAtMs).toBeLessThanOrEqual(Date.now() + 7_200_000);
  });

  it('writes one audit line per issued URL without the signature or the URL', async () => {
    const response = await handlePresignRequest(
      event({ bucket: 'reports', key: 'exports/q1.csv', expiresSeconds: 600 }),
      await deps(),
    );
    const signature = new URL((JSON.parse(response.body) as { url: string }).url).searchParams.get(
      'X-Amz-Signature',
    );

    const lines = auditLines();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 'INFO',
      presign: {
        caller: PARTNER,
        bucket: 'reports',
        key: 'exports/q1.csv',
        expiresSeconds: 600,
        decision: 'issued',
      },
    });
    expect(signature).toMatch(/^[0-9a-f]{64}$/);
    expect(output.join('')).not.toContain(signature);
    expect(output.join('')).not.toContain('X-Amz-');
    expect(output.join('')).not.toContain(SIGNING_KEY.secretAccessKey);
  });

  it('refuses a key outside the caller’s prefixes with 403 AccessDenied and audits the refusal', async () => {
    const response = await handlePresignRequest(
      event({ bucket: 'reports', key: 'raw/q1.csv', expiresSeconds: 600 }),
      await deps(),
    );

    expect(response.statusCode).toBe(403);
    expect(JSON.parse(response.body)).toEqual({
      code: 'AccessDenied',
      message: `caller ${PARTNER} may not presign reports/raw/q1.csv: allowed are keys under */exports/`,
    });
    expect(auditLines()).toEqual([
      expect.objectContaining({
        presign: expect.objectContaining({
          key: 'raw/q1.csv',
          decision: 'refused',
          reason: expect.stringMatching(/^AccessDenied: /),
        }),
      }),
    ]);
  });

  it('refuses a lifetime over the caller’s maximum with 400 InvalidArgument', async () => {
    const response = await handlePresignRequest(
      event({ bucket: 'reports', key: 'exports/q1.csv', expiresSeconds: 86_401 }),
      await deps(),
    );

    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body)).toMatchObject({
      code: 'InvalidArgument',
      message: expect.stringContaining('86400'),
    });
    expect(auditLines()).toHaveLength(1);
  });

  it('refuses a request without an IAM caller', async () => {
    const response = await handlePresignRequest(
      event(
        { bucket: 'reports', key: 'exports/q1.csv', expiresSeconds: 60 },
        { requestContext: { http: { method: 'POST' } } },
      ),
      await deps(),
    );
    expect(response.statusCode).toBe(403);
  });

  it('rejects a body that is not the expected JSON with 400 InvalidArgument naming the field', async () => {
    const dependencies = await deps();
    const notJson = await handlePresignRequest(event(undefined, { body: 'bucket=reports' }), dependencies);
    const missingKey = await handlePresignRequest(
      event({ bucket: 'reports', expiresSeconds: 60 }),
      dependencies,
    );

    expect(notJson.statusCode).toBe(400);
    expect(missingKey.statusCode).toBe(400);
    expect(JSON.parse(missingKey.body).message).toContain('key:');
    expect(auditLines()).toHaveLength(2);
  });

  it('reads a base64-encoded body', async () => {
    const body = Buffer.from(
      JSON.stringify({ bucket: 'reports', key: 'exports/a.csv', expiresSeconds: 60 }),
    ).toString('base64');
    const response = await handlePresignRequest(
      event(undefined, { body, isBase64Encoded: true }),
      await deps(),
    );
    expect(response.statusCode).toBe(200);
  });

  it('rejects methods other than POST with 405', async () => {
    const response = await handlePresignRequest(
      event(undefined, {
        requestContext: { http: { method: 'GET' }, authorizer: { iam: { userArn: PARTNER } } },
      }),
      await deps(),
    );
    expect(response.statusCode).toBe(405);
  });

  it('issues an Object Lambda access point URL signed for s3-object-lambda', async () => {
    const { MASKPOINT_GATEWAY_ENDPOINT: _, MASKPOINT_GATEWAY_REGION: __, ...base } = gatewayEnv();
    const response = await handlePresignRequest(
      event({ bucket: 'reports', key: 'exports/q1.csv', expiresSeconds: 900 }),
      await deps({ ...base, MASKPOINT_OBJECT_LAMBDA_ARN: OLAP_ARN }),
    );

    expect(response.statusCode).toBe(200);
    const url = new URL((JSON.parse(response.body) as { url: string }).url);
    expect(url.host).toBe('reports-olap-111122223333.s3-object-lambda.eu-west-1.amazonaws.com');
    expect(url.pathname).toBe('/exports/q1.csv');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('900');
    expect(url.searchParams.get('X-Amz-Credential')).toMatch(/\/eu-west-1\/s3-object-lambda\/aws4_request$/);
  });
});

describe('presignerDependenciesFromEnv', () => {
  afterEach(() => {
    secretsManager.reset();
  });

  it('fails at cold start on a policy that is not JSON or not a policy, naming the variable', async () => {
    await expect(
      presignerDependenciesFromEnv({ ...gatewayEnv(), MASKPOINT_PRESIGN_POLICY: '{callers:' }),
    ).rejects.toThrow(/MASKPOINT_PRESIGN_POLICY: not valid JSON/);
    await expect(
      presignerDependenciesFromEnv({
        ...gatewayEnv(),
        MASKPOINT_PRESIGN_POLICY: JSON.stringify({
          callers: [{ principal: 'x', prefixes: ['a/'], maxExpiresSeconds: 604_801 }],
        }),
      }),
    ).rejects.toThrow(/MASKPOINT_PRESIGN_POLICY\.callers\.0\.maxExpiresSeconds/);
  });

  it('fails at cold start when both or neither of the gateway endpoint and access point ARN are set', async () => {
    await expect(
      presignerDependenciesFromEnv({ ...gatewayEnv(), MASKPOINT_OBJECT_LAMBDA_ARN: OLAP_ARN }),
    ).rejects.toThrow(/not both/);
    const { MASKPOINT_GATEWAY_ENDPOINT: _, ...neither } = gatewayEnv();
    await expect(presignerDependenciesFromEnv(neither)).rejects.toThrow(/not both/);
  });

  it('fails at cold start on a malformed signing secret, naming the secret and not its value', async () => {
    secretsManager
      .on(GetSecretValueCommand)
      .resolves({ SecretString: JSON.stringify({ accessKeyId: 'AKIA' }) });
    const error = await presignerDependenciesFromEnv(gatewayEnv(), {
      secretsManager: new SecretsManagerClient({}),
    }).catch((caught: unknown) => caught);
    expect((error as Error).message).toContain(`secret ${SIGNING_SECRET_ARN} is invalid`);
    expect((error as Error).message).not.toContain('AKIA');
  });
});

describe('handler', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
    secretsManager.reset();
  });

  it('reads the signing key once at cold start and answers function URL events', async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(SIGNING_KEY) });
    for (const [name, value] of Object.entries(gatewayEnv())) vi.stubEnv(name, value);
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    vi.resetModules();
    const { handler } = await import('../../../functions/presigner/handler.ts');
    const context = {
      functionName: 'presigner',
      awsRequestId: 'req-1',
      getRemainingTimeInMillis: () => 3_000,
    };

    const first = await handler(
      event({ bucket: 'reports', key: 'exports/a.csv', expiresSeconds: 60 }),
      context as never,
    );
    const second = await handler(
      event({ bucket: 'reports', key: 'raw/a.csv', expiresSeconds: 60 }),
      context as never,
    );

    expect([first.statusCode, second.statusCode]).toEqual([200, 403]);
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });
});
