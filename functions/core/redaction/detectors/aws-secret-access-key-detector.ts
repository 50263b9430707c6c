import type { Detector } from '../detector.ts';
import { awsKeyIdPrefixSearch } from './aws-key-id-prefixes.ts';
import { createRegexDetector } from './regex-detector.ts';
import { builtInClassSequences } from './shared-class-sequences.ts';
import { createUnionDetector } from './union-detector.ts';
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

/**
 * The prefixes of access key ids (long-term `AKIA`, temporary `ASIA`), compared as written: a
 * secret key follows its key id in the rows of credential exports, often without any name
 * (`AKIAIOSFODNN7EXAMPLE,wJalrXUtnFEMI/…` in a CSV without a header row, `aws configure`-style
 * pairs in logs).
 */
const keyIdPrefixes = ['AKIA', 'ASIA'] as const;

/** Characters before a key in which its name, or the start of its key id, must appear. */
const windowChars = 48;

/**
 * AWS secret access keys: exactly 40 characters `A-Z a-z 0-9 / +`, only when the name of a
 * secret key or an access key id appears just before, or the value is held by a field of such a
 * name (any 40-character base64 run would otherwise match).
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
  return createUnionDetector([
    withContext(keys, keyNames, windowChars, { sharedSequences: builtInClassSequences }),
    withContext(keys, keyIdPrefixes, windowChars, {
      isCaseSensitive: true,
      keywordStarts: awsKeyIdPrefixSearch(keyIdPrefixes),
    }),
  ]);
}
