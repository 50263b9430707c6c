import type { AccessKeyRecord } from './audit-access-keys.ts';
import { AuditInputError } from './audit-input-error.ts';

/** The user name the credential report gives the root user. */
export const ROOT_ACCOUNT = '<root_account>';

const REQUIRED_COLUMNS = ['user', 'arn', ...[1, 2].flatMap((slot) => keyColumns(slot as 1 | 2))];

function keyColumns(slot: 1 | 2): string[] {
  return [
    `access_key_${slot}_active`,
    `access_key_${slot}_last_rotated`,
    `access_key_${slot}_last_used_date`,
    `access_key_${slot}_last_used_service`,
  ];
}

/**
 * Reads the access keys of an IAM credential report (no key ids: the report has none): the CSV that `aws iam get-credential-report`
 * returns base64-encoded in `Content`, given decoded or still encoded. Columns and their `N/A`,
 * `no_information` and `not_supported` values as documented in
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_getting-report.html. A slot
 * whose `last_rotated` is `N/A` holds no key and is left out.
 *
 * @throws AuditInputError when the text is not a credential report (a column is missing, a row
 *   has the wrong number of cells, a date does not parse).
 */
export function parseCredentialReport(text: string): AccessKeyRecord[] {
  const csv = decodeIfBase64(text);
  const [header, ...rows] = csv.split(/\r?\n/).filter((line) => line.trim() !== '');
  const columns = header?.split(',').map((name) => name.trim()) ?? [];
  const missing = REQUIRED_COLUMNS.filter((name) => !columns.includes(name));
  if (missing.length > 0) {
    throw new AuditInputError(`not an IAM credential report: column(s) ${missing.join(', ')} missing`);
  }
  const keys: AccessKeyRecord[] = [];
  rows.forEach((line, index) => {
    const cells = line.split(',');
    if (cells.length !== columns.length) {
      throw new AuditInputError(
        `credential report line ${index + 2}: ${cells.length} cells, the header has ${columns.length}`,
      );
    }
    const cell = (name: string): string => cells[columns.indexOf(name)] ?? '';
    for (const slot of [1, 2] as const) {
      const [active, rotated, lastUsed, service] = keyColumns(slot).map(cell);
      const createdAt = parseDate(rotated, index + 2, `access_key_${slot}_last_rotated`);
      if (createdAt === undefined) continue;
      keys.push({
        user: cell('user'),
        userArn: cell('arn'),
        accessKeyId: undefined,
        slot,
        isActive: active?.toLowerCase() === 'true',
        createdAt,
        lastUsedAt: parseDate(lastUsed, index + 2, `access_key_${slot}_last_used_date`),
        lastUsedService: service === undefined || service === 'N/A' ? undefined : service,
      });
    }
  });
  return keys;
}

function parseDate(value: string | undefined, line: number, column: string): Date | undefined {
  if (value === undefined || value === 'N/A' || value === 'no_information' || value === 'not_supported') {
    return undefined;
  }
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) {
    throw new AuditInputError(`credential report line ${line}: ${column} is not an ISO 8601 date`);
  }
  return date;
}

function decodeIfBase64(text: string): string {
  const trimmed = text.trim();
  if (trimmed.startsWith('user,')) return trimmed;
  if (!/^[A-Za-z0-9+/=\s]+$/.test(trimmed)) {
    throw new AuditInputError('not an IAM credential report: neither CSV starting with "user," nor base64');
  }
  return Buffer.from(trimmed, 'base64').toString('utf8').trim();
}
