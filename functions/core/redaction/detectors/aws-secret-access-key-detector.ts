import type { Detector } from '../detector.ts';
import { createRegexDetector } from './regex-detector.ts';
import { withContext } from './with-context.ts';

const secretKeyPattern = /(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/;

/**
 * Names a secret key is stored under: `aws_secret_access_key` (CLI config, environment),
 * `SecretAccessKey` (STS responses, `aws configure export-credentials`), `Secret access key`
 * (prose, spreadsheet headers), `AWS_SECRET`, `secret_key` (s3cmd, MinIO). As a field name they
 * count in any spelling (`Secret-Access-Key`), see `withContext`.
 */
const keyNames = [
  'secret_access_key',
  'secret-access-key',
  'secret access key',
  'secretaccesskey',
  'aws_secret',
  'aws-secret',
  'awssecret',
  'secret_key',
  'secret-key',
  'secretkey',
];

/** Characters before a key in which its name must appear. */
const windowChars = 48;

/**
 * AWS secret access keys: exactly 40 characters `A-Z a-z 0-9 / +`, only when the name of a
 * secret key appears just before, or is the name of the field holding the value (any
 * 40-character base64 run would otherwise match).
 */
export function createAwsSecretAccessKeyDetector(): Detector {
  const keys = createRegexDetector(secretKeyPattern, {
    id: 'aws-secret-access-key',
    label: 'AWS_SECRET_KEY',
    minLength: 40,
    maxLength: 40,
    lookbehind: 1,
    lookahead: 1,
  });
  return withContext(keys, keyNames, windowChars);
}
