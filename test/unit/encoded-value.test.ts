import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeBase64Text,
  isEncodedFieldName,
  MAX_BASE64_CHARS,
} from '../../functions/core/redaction/encoded-value.ts';

describe('isEncodedFieldName', () => {
  it('marks names that say the value is encoded or that name a sensitive value', () => {
    const marked = [
      'email_b64',
      'payloadBase64',
      'encoded_ssn',
      'email',
      'e_mail',
      'cardNumber',
      'api-token',
    ];
    const unmarked = ['order_no', 'company', 'discard', 'span', 'notes', 'id', 'key'];
    expect(marked.filter(isEncodedFieldName)).toEqual(marked);
    expect(unmarked.filter(isEncodedFieldName)).toEqual([]);
  });
});

describe('decodeBase64Text', () => {
  it('decodes standard and URL-safe base64 of text, padded or not (property)', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom(...'aZ09 @.-_éЖ中😀\n\t'), minLength: 6, maxLength: 200 }),
        (printable) => {
          const standard = Buffer.from(printable).toString('base64');
          expect(decodeBase64Text(standard)).toBe(printable);
          expect(decodeBase64Text(standard.replace(/=+$/, ''))).toBe(printable);
          expect(decodeBase64Text(Buffer.from(printable).toString('base64url'))).toBe(printable);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('rejects what is not base64 of text: short, long, other characters, bytes, control characters', () => {
    const rejected = [
      'abc=',
      'not base64 at all',
      'amFuZUBleGFtcGxlLmNvbQ=x',
      Buffer.from([0xff, 0xfe, 0x00, 0x81, 0x92, 0x33]).toString('base64'),
      Buffer.from('bell\x07 rings').toString('base64'),
      Buffer.from('x'.repeat(MAX_BASE64_CHARS)).toString('base64'),
      'amFuZ',
    ];
    expect(rejected.map(decodeBase64Text)).toEqual(rejected.map(() => undefined));
  });
});
