import { serialize } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { redactAction } from '../../functions/core/redaction/actions/redact-action.ts';
import { oneByteText } from '../../functions/core/redaction/one-byte-text.ts';

/** Whether V8 holds `text` one byte per character (v8.serialize tags a one-byte string `"`). */
const isOneByte = (text: string): boolean => serialize(text)[2] === 0x22;

/** `text` as a slice of a text holding a character beyond U+00FF, as a rule file's YAML gives it. */
const twoByteSlice = (text: string): string => `…${text}`.slice(1);

describe('oneByteText', () => {
  it('keeps the characters of Latin-1 text and stores them one byte each', () => {
    const label = twoByteSlice('NAMÉ');
    expect(isOneByte(label)).toBe(false);
    expect(oneByteText(label)).toBe('NAMÉ');
    expect(isOneByte(oneByteText(label))).toBe(true);
  });

  it('keeps text beyond Latin-1 as it is', () => {
    expect(oneByteText('名前 “x”')).toBe('名前 “x”');
  });

  it('gives the redact action a one-byte replacement for a label read from two-byte text', () => {
    const replace = redactAction({ type: 'redact' }, { label: twoByteSlice('NAME') });
    expect(replace('Jane')).toBe('[NAME]');
    expect(isOneByte(replace('Jane') as string)).toBe(true);
  });
});
