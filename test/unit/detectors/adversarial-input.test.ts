import { describe, expect, it } from 'vitest';
import type { Detector } from '../../../functions/core/redaction/detector.ts';
import {
  builtInDetectorIds,
  createBuiltInDetector,
} from '../../../functions/core/redaction/detectors/built-in-detectors.ts';
import { Scanner } from '../../../functions/core/redaction/scanner.ts';

const size = 100 * 1024;

/** Inputs that make backtracking or re-scanning detectors super-linear, each about 100 KB. */
const adversarial: Record<string, string> = {
  digits: '1'.repeat(size),
  'digit groups': '4111 '.repeat(size / 5),
  'dashed digits': '123-'.repeat(size / 4),
  letters: 'a'.repeat(size),
  'upper case': 'A'.repeat(size),
  'at signs': '@'.repeat(size),
  'local part then at': `${'a'.repeat(size / 2)}@${'b'.repeat(size / 2)}`,
  'dotted labels': `a@${'b.'.repeat(size / 2)}`,
  'pem begins': '-----BEGIN PRIVATE KEY-----\n'.repeat(size / 28),
  'pem begin then base64': `-----BEGIN PRIVATE KEY-----\n${'A'.repeat(size)}`,
  colons: ':'.repeat(size),
  'hex and colons': 'a:'.repeat(size / 2),
  dots: '1.'.repeat(size / 2),
  plus: '+1 '.repeat(size / 3),
  'jwt prefix': `eyJ${'a'.repeat(size)}`,
  'jwt segments': 'eyJa.'.repeat(size / 5),
  'secret keyword': 'aws_secret_access_key='.repeat(size / 22),
  'secret keys': `aws_secret_access_key=${'A'.repeat(size)}`,
  'iban starts': 'DE89 '.repeat(size / 5),
  'token prefixes': 'ghp_xoxb-sk_live_AKIA'.repeat(size / 21),
};

describe('built-in detectors on adversarial input', () => {
  it.each(Object.entries(adversarial))('scan 100 KB of %s to the end', (_name, text) => {
    const scanner = new Scanner(builtInDetectorIds.map((id) => createBuiltInDetector(id) as Detector));
    const { next } = scanner.scan(text);
    expect(next).toBe(text.length);
  });
});
