import { describe, expect, it } from 'vitest';
import { type MaskAction, maskAction } from '../../../functions/core/redaction/actions/mask-action.ts';

const mask = (value: string, options: Partial<Omit<MaskAction, 'type'>> = {}) =>
  maskAction({ type: 'mask', char: '*', keepFirst: 0, keepLast: 4, keepSeparators: true, ...options })(value);

describe('maskAction', () => {
  it('keeps the last four digits and the separators by default', () => {
    expect(mask('123-45-6789')).toBe('***-**-6789');
  });

  it('counts kept characters over letters and digits only', () => {
    expect(mask('alice@example.com', { keepFirst: 1, keepLast: 2 })).toBe('a****@*******.*om');
  });

  it('masks separators outside the kept head and tail when keepSeparators is false', () => {
    expect(mask('123-45-6789', { keepSeparators: false })).toBe('*******6789');
    expect(mask('12-34-56', { keepLast: 3, keepSeparators: false })).toBe('****4-56');
    expect(mask('ab.cd.ef', { keepFirst: 3, keepLast: 0, keepSeparators: false })).toBe('ab.c****');
  });

  it('masks everything when keepFirst + keepLast would reveal every letter and digit', () => {
    expect(mask('1234', { keepFirst: 2, keepLast: 2 })).toBe('****');
    expect(mask('ab-c', { keepLast: 4 })).toBe('**-*');
    expect(mask('12345', { keepFirst: 2, keepLast: 2 })).toBe('12*45');
  });

  it('uses the configured masking character', () => {
    expect(mask('4111 1111 1111 1111', { char: '#' })).toBe('#### #### #### 1111');
  });

  it('preserves length in code points for accented and astral characters', () => {
    expect(mask('Zoë Ñúñez', { keepFirst: 1, keepLast: 0 })).toBe('Z** *****');
    expect(mask('𝟘𝟙𝟚𝟛𝟜', { keepLast: 1 })).toBe('****𝟜');
  });

  it('never reveals a planted value with keepLast 0', () => {
    const masked = mask('planted-secret 4111', { keepLast: 0 });

    expect(masked).toBe('*******-****** ****');
    expect(masked).not.toMatch(/[a-z0-9]/);
  });
});
