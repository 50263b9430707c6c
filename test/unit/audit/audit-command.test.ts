import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { auditCommand } from '../../../functions/cli/audit-command.ts';
import { UsageError } from '../../../functions/cli/usage-error.ts';
import { protectedBucketConfigSchema } from '../../../infra/lib/protected-bucket-config.ts';

const FIXTURES = new URL('../../fixtures/audit/', import.meta.url).pathname;
const NOW = new Date('2025-06-01T00:00:00Z');
const NO_BUCKET_CONFIGS = new URL('file:///nonexistent-maskpoint-bucket-configs/');
const SENSITIVE = 'acme-customer-exports';
const MANAGEMENT_FILE =
  'cloudtrail/AWSLogs/111122223333/CloudTrail/us-east-1/2025/05/30/111122223333_CloudTrail_us-east-1_20250530T1215Z_Mgmt1Ab2Cd3Ef4Gh.json.gz';

interface KeyJson {
  user: string;
  accessKeyId: string | null;
  slot: number | null;
  status: string;
  risk: string;
  reasons: string[];
  findings: { reason: string; detail: string }[];
  used: { actions: string[]; resources: string[]; sourceIps: string[]; vpcEndpoints: string[] } | null;
  unused: { services: string[]; actions: string[]; partlyUsed: { granted: string; used: string[] }[] } | null;
  suggestedPolicy: { Statement: unknown[] } | null;
  suggestionNotes: string[];
  proxy: {
    buckets: { bucket: string; readPrefixes: string[]; configEntry: unknown; configFile: string }[];
    gatewayKeyCommand: string;
  } | null;
  blindSpots: { code: string }[];
}

interface ReportJson {
  blindSpots: { code: string; message: string }[];
  keys: KeyJson[];
}

describe('maskpoint audit on exports', () => {
  let stdout: string;
  let stderr: string;

  beforeEach(() => {
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

  afterEach(() => {
    vi.restoreAllMocks();
  });

  async function audit(options: { cloudtrail?: string[]; extra?: string[]; details?: string } = {}) {
    const args = [
      '--authorization-details',
      options.details ?? join(FIXTURES, 'authorization-details.json'),
      '--credential-report',
      join(FIXTURES, 'credential-report.csv'),
      ...(options.cloudtrail ?? [join(FIXTURES, 'cloudtrail')]).flatMap((path) => ['--cloudtrail', path]),
      '--sensitive-bucket',
      SENSITIVE,
      ...(options.extra ?? ['--json']),
    ];
    const code = await auditCommand(args, { now: NOW, bucketConfigs: NO_BUCKET_CONFIGS });
    expect(code).toBe(0);
    return options.extra === undefined ? (JSON.parse(stdout) as ReportJson) : undefined;
  }

  function keyOf(report: ReportJson, user: string, slot = 1): KeyJson {
    const key = report.keys.find((candidate) => candidate.user === user && candidate.slot === slot);
    if (key === undefined) throw new Error(`no key of ${user} in slot ${slot}`);
    return key;
  }

  it('rates the administrator key high, for admin and everything admin implies', async () => {
    const report = (await audit()) as ReportJson;
    const alice = keyOf(report, 'admin-alice');
    expect(alice.accessKeyId).toBe('AKIAALICEEXAMPLE0001');
    expect(alice.risk).toBe('high');
    expect(alice.reasons).toEqual([
      'admin',
      'privilege-escalation',
      'resource-listing',
      'sensitive-data',
      'no-ip-restriction',
      'wildcard-resource',
    ]);
    // Everything it used was IAM, which is never suggested.
    expect(alice.used?.actions).toEqual(['iam:ListRoles', 'iam:ListUsers']);
    expect(alice.suggestedPolicy).toBeNull();
    expect(alice.suggestionNotes).toContain('left out on purpose: iam:ListRoles, iam:ListUsers');
    expect(report.keys[0]?.risk).toBe('high');
  });

  it('narrows the s3:* key that only read one prefix from one address, and plans its proxy', async () => {
    const report = (await audit()) as ReportJson;
    const bob = keyOf(report, 'reporting-bob');
    expect(bob.accessKeyId).toBe('AKIABOBEXAMPLE000002');
    expect(bob.risk).toBe('high');
    expect(bob.reasons).toEqual(['resource-listing', 'sensitive-data', 'no-ip-restriction']);
    expect(bob.findings.find((finding) => finding.reason === 'sensitive-data')?.detail).toBe(
      'acme-customer-exports (read, write)',
    );
    expect(bob.used).toEqual({
      actions: ['s3:GetObject', 's3:ListBucket'],
      resources: [
        'arn:aws:s3:::acme-customer-exports',
        'arn:aws:s3:::acme-customer-exports/reports/2025/04/customers-c.csv',
        'arn:aws:s3:::acme-customer-exports/reports/2025/05/customers-a.csv',
        'arn:aws:s3:::acme-customer-exports/reports/2025/05/customers-b.csv',
      ],
      sourceIps: ['198.51.100.7'],
      vpcEndpoints: [],
      eventCount: 4,
      firstSeen: '2025-05-29T06:00:00.000Z',
      lastSeen: '2025-05-31T06:00:05.000Z',
    });
    expect(bob.unused).toEqual({
      services: [],
      actions: ['s3:ListAllMyBuckets'],
      partlyUsed: [{ granted: 's3:*', used: ['s3:GetObject', 's3:ListBucket'] }],
      servicesNotAccessedByUser: null,
    });
    const fromBobsAddress = { IpAddress: { 'aws:SourceIp': ['198.51.100.7/32'] } };
    expect(bob.suggestedPolicy).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'Used1',
          Effect: 'Allow',
          Action: ['s3:GetObject'],
          Resource: ['arn:aws:s3:::acme-customer-exports/reports/2025/*'],
          Condition: fromBobsAddress,
        },
        {
          Sid: 'Used2',
          Effect: 'Allow',
          Action: ['s3:ListBucket'],
          Resource: ['arn:aws:s3:::acme-customer-exports'],
          Condition: fromBobsAddress,
        },
      ],
    });
    expect(bob.proxy?.gatewayKeyCommand).toBe(
      'npx maskpoint keys create --name reporting-bob --bucket acme-customer-exports',
    );
    const [bucket] = bob.proxy?.buckets ?? [];
    expect(bucket?.configFile).toBe('infra/buckets/acme-customer-exports.ts');
    // The entry is a valid protected-bucket config as infra/ validates it.
    const config = protectedBucketConfigSchema.parse(bucket?.configEntry);
    expect(config.bucket).toEqual({ source: 'existing', bucketName: SENSITIVE });
    expect(config.readPrefixes).toEqual(['reports/2025/']);
    expect(config.allowListing).toBe(true);
    expect(config.frontDoors.gateway?.functionUrl).toEqual({ kind: 'function-url' });
  });

  it('finds the escalation through iam:PassRole + lambda:CreateFunction, from the default policy version', async () => {
    const report = (await audit()) as ReportJson;
    const carol = keyOf(report, 'deploy-carol');
    expect(carol.risk).toBe('high');
    expect(carol.reasons).toEqual([
      'privilege-escalation',
      'resource-listing',
      'no-ip-restriction',
      'wildcard-resource',
    ]);
    const escalation =
      carol.findings.find((finding) => finding.reason === 'privilege-escalation')?.detail ?? '';
    expect(escalation).toContain(
      'PassExistingRoleToNewLambdaThenInvoke (iam:PassRole + lambda:CreateFunction + lambda:InvokeFunction)',
    );
    // v1 of PassLambdaRoles grants iam:*; v2, the default, only iam:PassRole on lambda-* roles.
    expect(escalation).not.toContain('CreateNewPolicyVersion');
    expect(escalation).not.toContain('AttachUserPolicy');
    expect(carol.used?.actions).toEqual([
      'lambda:CreateFunction',
      'lambda:UpdateFunctionCode',
      'sts:GetCallerIdentity',
    ]);
    expect(carol.unused?.actions).toEqual(['iam:PassRole']);
    expect(carol.unused?.partlyUsed).toEqual([
      { granted: 'lambda:*', used: ['lambda:CreateFunction', 'lambda:UpdateFunctionCode'] },
    ]);
    expect(carol.suggestedPolicy?.Statement).toEqual([
      {
        Sid: 'Used1',
        Effect: 'Allow',
        Action: ['lambda:CreateFunction'],
        Resource: ['*'],
        Condition: { IpAddress: { 'aws:SourceIp': ['192.0.2.44/32', '192.0.2.45/32'] } },
      },
      {
        Sid: 'Used2',
        Effect: 'Allow',
        Action: ['lambda:UpdateFunctionCode'],
        Resource: ['arn:aws:lambda:us-east-1:111122223333:function:nightly-report'],
        Condition: { IpAddress: { 'aws:SourceIp': ['192.0.2.44/32', '192.0.2.45/32'] } },
      },
    ]);
    expect(carol.suggestionNotes).toContain('left out on purpose: sts:GetCallerIdentity');
    // A refused call (iam:CreateUser, AccessDenied) is not use.
    expect(carol.used?.actions).not.toContain('iam:CreateUser');
    expect(carol.blindSpots.map((spot) => spot.code)).toEqual([
      'permission-only-actions',
      'lambda-invoke-invisible',
    ]);
    expect(carol.proxy).toBeNull();
  });

  it('flags the old key that was never used, and leaves its inactive twin low', async () => {
    const report = (await audit()) as ReportJson;
    const dave = keyOf(report, 'legacy-dave', 1);
    expect(dave.risk).toBe('medium');
    expect(dave.reasons).toEqual(['unused-key', 'old-key', 'no-ip-restriction']);
    expect(dave.used?.actions).toEqual([]);
    expect(dave.unused).toMatchObject({ services: ['s3'], actions: ['s3:GetObject'] });
    expect(dave.suggestedPolicy).toBeNull();
    expect(dave.suggestionNotes).toEqual([
      'no call by this key in the CloudTrail input: deactivate it rather than narrow it',
    ]);
    const inactive = keyOf(report, 'legacy-dave', 2);
    expect(inactive.status).toBe('Inactive');
    expect(inactive.risk).toBe('low');
    expect(inactive.reasons).toEqual(['unused-key', 'old-key', 'no-ip-restriction']);
  });

  it('lets explicit denies remove the risk of IAMFullAccess and of the sensitive bucket', async () => {
    const report = (await audit()) as ReportJson;
    const erin = keyOf(report, 'fenced-erin');
    expect(erin.risk).toBe('low');
    expect(erin.reasons).toEqual(['no-ip-restriction']);
    expect(erin.suggestedPolicy).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'Used1',
          Effect: 'Allow',
          Action: ['s3:GetObject', 's3:PutObject'],
          Resource: ['arn:aws:s3:::erin-scratch/tmp/*'],
          Condition: { StringEquals: { 'aws:SourceVpce': ['vpce-0a1b2c3d4e5f60718'] } },
        },
      ],
    });
  });

  it('reports the same key as escalating and reaching the bucket once its denies are taken away', async () => {
    const details = JSON.parse(await readFile(join(FIXTURES, 'authorization-details.json'), 'utf8'));
    const erin = details.UserDetailList.find((user: { UserName: string }) => user.UserName === 'fenced-erin');
    erin.UserPolicyList = erin.UserPolicyList.filter(
      (policy: { PolicyName: string }) => policy.PolicyName !== 'guardrails',
    );
    const directory = await mkdtemp(join(tmpdir(), 'maskpoint-audit-'));
    try {
      const path = join(directory, 'details.json');
      await writeFile(path, JSON.stringify(details));
      const report = (await audit({ details: path })) as ReportJson;
      const unguarded = keyOf(report, 'fenced-erin');
      expect(unguarded.risk).toBe('high');
      expect(unguarded.reasons).toEqual([
        'privilege-escalation',
        'resource-listing',
        'sensitive-data',
        'no-ip-restriction',
        'wildcard-resource',
      ]);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it('caps an allow-everything policy by its permissions boundary', async () => {
    const report = (await audit()) as ReportJson;
    const frank = keyOf(report, 'bounded-frank');
    expect(frank.reasons).not.toContain('admin');
    expect(frank.reasons).not.toContain('privilege-escalation');
    expect(frank.reasons).toEqual([
      'resource-listing',
      'sensitive-data',
      'no-ip-restriction',
      'wildcard-resource',
    ]);
    expect(frank.findings.find((finding) => finding.reason === 'sensitive-data')?.detail).toBe(
      'acme-customer-exports (read)',
    );
  });

  it('reports what the trail cannot show instead of ignoring it', async () => {
    const report = (await audit()) as ReportJson;
    expect(report.blindSpots.map((spot) => spot.code)).toEqual([
      'policies-not-evaluated',
      'unlogged-actions',
      'trail-window-short',
      'unattributed-key-activity',
    ]);
    expect(report.blindSpots.find((spot) => spot.code === 'unattributed-key-activity')?.message).toContain(
      'AKIAGHOSTEXAMPLE0099',
    );
  });

  it('reports missing S3 data events when the trail has only management events', async () => {
    const report = (await audit({ cloudtrail: [join(FIXTURES, MANAGEMENT_FILE)] })) as ReportJson;
    expect(report.blindSpots.map((spot) => spot.code)).toContain('s3-data-events-missing');
    const bob = keyOf(report, 'reporting-bob');
    expect(bob.blindSpots.map((spot) => spot.code)).toEqual([
      'key-used-outside-trail',
      's3-object-use-invisible',
    ]);
    // Bob made no management call, so nothing ties his key id to the trail: no suggestion, no proxy.
    expect(bob.proxy).toBeNull();
    expect(bob.suggestedPolicy).toBeNull();
  });

  it('leaves used, unused and suggestions out without CloudTrail, and says so', async () => {
    const report = (await audit({ cloudtrail: [] })) as ReportJson;
    expect(report.blindSpots.map((spot) => spot.code)).toContain('no-cloudtrail');
    const bob = keyOf(report, 'reporting-bob');
    expect(bob.risk).toBe('high');
    expect(bob.used).toBeNull();
    expect(bob.unused).toBeNull();
    expect(bob.suggestedPolicy).toBeNull();
  });

  it('prints a table with one row per key by default, riskiest first', async () => {
    await audit({ extra: [] });
    const lines = stdout.split('\n');
    expect(lines[0]).toMatch(/^RISK\s+USER\s+ACCESS KEY\s+AGE\s+LAST USED\s+STATUS\s+REASONS$/);
    expect(lines.slice(1, 8).map((line) => line.split(/\s+/)[0])).toEqual([
      'high',
      'high',
      'high',
      'high',
      'medium',
      'low',
      'low',
    ]);
    expect(stdout).toContain('AKIABOBEXAMPLE000002');
  });

  it('writes a Markdown report with the suggested policy and the proxy steps', async () => {
    await audit({ extra: ['--markdown'] });
    expect(stdout).toContain('# maskpoint audit');
    expect(stdout).toContain('## reporting-bob `AKIABOBEXAMPLE000002`: high');
    expect(stdout).toContain('"arn:aws:s3:::acme-customer-exports/reports/2025/*"');
    expect(stdout).toContain('npx maskpoint keys create --name reporting-bob --bucket acme-customer-exports');
    expect(stdout).toContain('## Blind spots');
  });

  it('takes the sensitive buckets from the infra/buckets configs when none is given', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'maskpoint-audit-buckets-'));
    try {
      const config = new URL('../../../infra/lib/protected-bucket-config.ts', import.meta.url).pathname;
      await writeFile(
        join(directory, 'exports.ts'),
        `import { defineProtectedBucket } from '${config}';\nexport default defineProtectedBucket({ name: 'exports', bucket: { source: 'existing', bucketName: '${SENSITIVE}' }, rulesDir: 'redaction-rules', frontDoors: { gateway: {} } });\n`,
      );
      await writeFile(
        join(directory, 'demo.ts'),
        `import { defineProtectedBucket } from '${config}';\nexport default defineProtectedBucket({ name: 'demo', bucket: { source: 'demo' }, rulesDir: 'redaction-rules', frontDoors: { gateway: {} } });\n`,
      );
      await auditCommand(
        [
          '--authorization-details',
          join(FIXTURES, 'authorization-details.json'),
          '--credential-report',
          join(FIXTURES, 'credential-report.csv'),
          '--cloudtrail',
          join(FIXTURES, 'cloudtrail'),
          '--json',
        ],
        { now: NOW, bucketConfigs: new URL(`file://${directory}/`) },
      );
      const report = JSON.parse(stdout) as ReportJson & { sensitiveBuckets: string[] };
      expect(report.sensitiveBuckets).toEqual([SENSITIVE]);
      const bob = keyOf(report, 'reporting-bob');
      expect(bob.reasons).toContain('sensitive-data');
      expect(bob.proxy?.buckets).toMatchObject([
        { bucket: SENSITIVE, configuredIn: 'infra/buckets/exports.ts' },
      ]);
      expect(stderr).toContain('infra/buckets/demo.ts');
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it('rejects exports and --live together, and neither', async () => {
    await expect(auditCommand(['--live', '--credential-report', 'x'], { now: NOW })).rejects.toThrow(
      UsageError,
    );
    await expect(auditCommand(['--json'], { now: NOW })).rejects.toThrow(UsageError);
  });

  it('rejects a file that is not a CloudTrail log, naming the file', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'maskpoint-audit-bad-'));
    try {
      await writeFile(join(directory, 'not-a-trail.json'), '{"events":[]}');
      await expect(audit({ cloudtrail: [directory] })).rejects.toThrow(
        /not-a-trail\.json: not a CloudTrail log file/,
      );
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
