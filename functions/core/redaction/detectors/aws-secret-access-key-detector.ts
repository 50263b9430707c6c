import type { Detector } from '../detector.ts';
import { createRegexDetector } from './regex-detector.ts';
import { withContext } from './with-context.ts';

const secretKeyPattern = /(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/;

/** Names a secret key is stored under (`aws_secret_access_key`, `SecretAccessKey`, `AWS_SECRET`, …). */
const keyNames = [
  'secret_access_key',
  'secret-access-key',
  'secretaccesskey',
  'aws_secret',
  'aws-secret',
  'awssecret',
];

/** Characters before a key in which its name must appear. */
const windowChars = 48;

/**
 * AWS secret access keys: exactly 40 characters `A-Z a-z 0-9 / +`, only when the name of a
 * secret key appears just before (any 40-character base64 run would otherwise match).
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
