import type { Detector } from '../detector.ts';
import { awsKeyIdPrefixSearch } from './aws-key-id-prefixes.ts';
import { createRegexDetector } from './regex-detector.ts';

const accessKeyIdPattern =
  /(?<![A-Za-z0-9])(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)(?!X{8})[A-Z0-9]{16}(?![A-Za-z0-9])/;

/**
 * AWS access key ids (long-term `AKIA…`, temporary `ASIA…`, the older `A3T…` and the other key
 * prefixes); `AKIAXXXXXXXXXXXXXXXX`, a documentation placeholder, is none. The 16 characters
 * after the prefix are any upper-case letters and digits, not only base32 as issued keys use:
 * AWS's own documentation example `AKIAI44QH8DHBEXAMPLE` has an 8, and a value written in that
 * shape is redacted whether or not AWS could have issued it (fail closed).
 */
export function createAwsAccessKeyIdDetector(): Detector {
  return createRegexDetector(accessKeyIdPattern, {
    id: 'aws-access-key-id',
    label: 'AWS_ACCESS_KEY_ID',
    minLength: 20,
    maxLength: 20,
    lookbehind: 1,
    lookahead: 1,
    candidates: awsKeyIdPrefixSearch(),
  });
}
