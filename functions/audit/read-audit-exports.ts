import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { AccessKeyRecord } from './audit-access-keys.ts';
import { AuditInputError } from './audit-input-error.ts';
import { type IamUser, parseAuthorizationDetails } from './authorization-details.ts';
import { type CloudTrailRecord, parseCloudTrailLogFile } from './cloudtrail-record.ts';
import { parseCredentialReport } from './credential-report.ts';

/** Reads `aws iam get-account-authorization-details` output saved to `path`. */
export async function readAuthorizationDetailsFile(path: string): Promise<IamUser[]> {
  const text = await readFile(path, 'utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new AuditInputError(`${path}: not JSON`, { cause: error });
  }
  try {
    return parseAuthorizationDetails(json);
  } catch (error) {
    if (error instanceof AuditInputError)
      throw new AuditInputError(`${path}: ${error.message}`, { cause: error });
    throw error;
  }
}

/** Reads a credential report CSV (decoded, or the base64 `Content` as saved) from `path`. */
export async function readCredentialReportFile(path: string): Promise<AccessKeyRecord[]> {
  try {
    return parseCredentialReport(await readFile(path, 'utf8'));
  } catch (error) {
    if (error instanceof AuditInputError)
      throw new AuditInputError(`${path}: ${error.message}`, { cause: error });
    throw error;
  }
}

/**
 * Reads CloudTrail log files as delivered to S3 (`*.json.gz` or `*.json`, each `{"Records":[…]}`)
 * from files and directories (walked recursively, in name order), handing each file's records to
 * `onRecords`, so memory holds one file at a time. Digest files (`CloudTrail-Digest/`) hold no
 * records and are skipped. Resolves to the number of log files read.
 *
 * @throws AuditInputError naming the file when one is not a CloudTrail log file.
 */
export async function readCloudTrailFiles(
  paths: readonly string[],
  onRecords: (records: readonly CloudTrailRecord[]) => void,
): Promise<number> {
  const files: string[] = [];
  for (const path of paths) files.push(...(await logFilesUnder(path)));
  for (const file of files) {
    const bytes = await readFile(file);
    let text: string;
    try {
      text = file.endsWith('.gz') ? gunzipSync(bytes).toString('utf8') : bytes.toString('utf8');
    } catch (error) {
      throw new AuditInputError(`${file}: not gzip`, { cause: error });
    }
    onRecords(parseCloudTrailLogFile(text, file));
  }
  return files.length;
}

async function logFilesUnder(path: string): Promise<string[]> {
  if (!(await stat(path)).isDirectory()) return [path];
  const entries = await readdir(path, { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'CloudTrail-Digest') files.push(...(await logFilesUnder(child)));
    } else if (/\.json(\.gz)?$/.test(entry.name)) {
      files.push(child);
    }
  }
  return files;
}
