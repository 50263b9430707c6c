import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_RULES_DIR } from '../../functions/adapters/local-rule-set-source.ts';
import { presignCommand } from '../../functions/cli/presign-command.ts';
import { InvalidArgumentError, KeyringError } from '../../functions/core/errors.ts';
import { startTestGateway, type TestGateway } from './gateway-client.ts';

const EXAMPLE_BUCKET = new URL('../../examples/bucket', import.meta.url).pathname;

describe('maskpoint presign against the local gateway', () => {
  let gateway: TestGateway;
  let stdout: string;
  let stderr: string;

  beforeEach(async () => {
    gateway = await startTestGateway({
      rulesDir: DEFAULT_RULES_DIR,
      localBuckets: new Map([['example', EXAMPLE_BUCKET]]),
      s3Buckets: [],
    });
    await gateway.store.create('partner-a', ['example']);
    stdout = '';
    stderr = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      stdout += String(chunk);
      return true;
    });
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      stderr += String(chunk);
      return true;
    });
  });

  afterEach(async () => {
    vi.restoreAllMocks();
    await gateway.stop();
  });

  async function presign(...options: string[]): Promise<string> {
    const code = await presignCommand([
      '--endpoint',
      gateway.server.url,
      '--key-name',
      'partner-a',
      ...options,
    ]);
    expect(code).toBe(0);
    return stdout.trim();
  }

  it('prints a URL the gateway serves with redacted content, without credentials', async () => {
    const url = await presign('s3://example/customers.csv', '--expires', '3d');

    expect(stdout.split('\n').filter(Boolean)).toHaveLength(1);
    expect(new URL(url).searchParams.get('X-Amz-Expires')).toBe('259200');
    expect(stderr).toMatch(/valid until \d{4}-\d\d-\d\dT.*\(gateway key partner-a\)\n$/);
    const response = await fetch(url);
    const text = await response.text();
    expect(response.status).toBe(200);
    expect(text).toContain('[EMAIL]');
    expect(text).not.toContain('jane.doe@example.com');
    expect(gateway.audit).toEqual([
      expect.objectContaining({ decision: 'allow', caller: expect.objectContaining({ id: 'partner-a' }) }),
    ]);
  });

  it('signs keys that need percent-encoding so that the gateway verifies them', async () => {
    const url = await presign('s3://example/no such/file (1)+ü.csv', '--expires', '15m');

    const response = await fetch(url);

    // Past the signature check: the object does not exist.
    expect(response.status).toBe(404);
    expect(await response.text()).toContain('<Code>NoSuchKey</Code>');
  });

  it('prints a URL that stops working once the key is revoked', async () => {
    const url = await presign('s3://example/customers.csv', '--expires', '900');
    await gateway.store.revoke('partner-a');

    const response = await fetch(url);

    expect(response.status).toBe(403);
    expect(await response.text()).toContain('<Code>InvalidAccessKeyId</Code>');
  });

  it('rejects a lifetime over 7 days before signing', async () => {
    const rejection = presignCommand([
      's3://example/customers.csv',
      '--expires',
      '604801',
      '--endpoint',
      gateway.server.url,
      '--key-name',
      'partner-a',
    ]);

    await expect(rejection).rejects.toThrow(InvalidArgumentError);
    await expect(rejection).rejects.toThrow(/7 days/);
    expect(stdout).toBe('');
  });

  it('accepts exactly 7 days', async () => {
    const url = await presign('s3://example/customers.csv', '--expires', '7d');
    expect((await fetch(url)).status).toBe(200);
  });

  it('rejects a key name that does not exist or is revoked', async () => {
    await gateway.store.revoke('partner-a');
    await expect(
      presignCommand([
        's3://example/customers.csv',
        '--endpoint',
        gateway.server.url,
        '--key-name',
        'partner-a',
      ]),
    ).rejects.toThrow(
      new KeyringError('no active gateway key is named "partner-a"; see: maskpoint keys list'),
    );
  });

  it('rejects a bucket the key may not read', async () => {
    await expect(
      presignCommand([
        's3://other/customers.csv',
        '--endpoint',
        gateway.server.url,
        '--key-name',
        'partner-a',
      ]),
    ).rejects.toThrow(/may not read bucket other \(its buckets: example\)/);
  });
});
