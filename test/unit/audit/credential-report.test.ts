import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { AuditInputError } from '../../../functions/audit/audit-input-error.ts';
import { parseCredentialReport } from '../../../functions/audit/credential-report.ts';

const CSV = await readFile(new URL('../../fixtures/audit/credential-report.csv', import.meta.url), 'utf8');

describe('credential report', () => {
  it('reads each key slot that holds a key, with its dates and status', () => {
    const keys = parseCredentialReport(CSV);
    expect(keys.map((key) => `${key.user}#${key.slot}`)).toEqual([
      'admin-alice#1',
      'reporting-bob#1',
      'deploy-carol#1',
      'legacy-dave#1',
      'legacy-dave#2',
      'fenced-erin#1',
      'bounded-frank#1',
    ]);
    expect(keys[1]).toEqual({
      user: 'reporting-bob',
      userArn: 'arn:aws:iam::111122223333:user/apps/reporting-bob',
      accessKeyId: undefined,
      slot: 1,
      isActive: true,
      createdAt: new Date('2025-03-15T10:00:00Z'),
      lastUsedAt: new Date('2025-05-31T06:00:00Z'),
      lastUsedService: 's3',
    });
    expect(keys[4]).toMatchObject({ isActive: false, lastUsedAt: undefined, lastUsedService: undefined });
  });

  it('reads the base64 Content of get-credential-report as the decoded CSV', () => {
    expect(parseCredentialReport(Buffer.from(CSV).toString('base64'))).toEqual(parseCredentialReport(CSV));
  });

  it('rejects a CSV without the access key columns, naming them', () => {
    expect(() => parseCredentialReport('user,arn\nbob,arn:aws:iam::1:user/bob\n')).toThrow(
      /column\(s\) access_key_1_active, .* missing/,
    );
    expect(() => parseCredentialReport('user,arn\n')).toThrow(AuditInputError);
  });

  it('rejects a date that does not parse, naming line and column', () => {
    const [header, , second] = CSV.split('\n');
    const broken = second?.replace('2025-04-01T09:00:00+00:00', 'yesterday');
    expect(() => parseCredentialReport(`${header}\n${broken}\n`)).toThrow(
      'credential report line 2: access_key_1_last_rotated is not an ISO 8601 date',
    );
  });

  it('rejects a row with a different number of cells than the header', () => {
    const [header, , second] = CSV.split('\n');
    expect(() => parseCredentialReport(`${header}\n${second},extra\n`)).toThrow(
      /line 2: 23 cells, the header has 22/,
    );
  });
});
