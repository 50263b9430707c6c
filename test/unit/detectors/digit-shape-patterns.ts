import type { digitShapes } from '../../../functions/core/redaction/detectors/digit-shapes.ts';

/** Each digit shape as its own regex, as the detectors' patterns need them (the reference for the searches). */
export const digitShapePatterns: Record<keyof typeof digitShapes, RegExp> = {
  nanpCore: /[ .)-][2-9][0-9]{2}[ .-][0-9]{4}(?![0-9])/,
  ssn: /[0-9]{3}[ -][0-9]{2}[ -][0-9]{4}/,
  compactSsn: /(?<![0-9])[0-8][0-9]{8}(?![0-9])/,
  card: /(?<![0-9])[2-6][0-9]{3}(?:[0-9]{9}|[ .-][0-9]{4}[ .-][0-9]{4}[ .-][0-9]|[ .-][0-9]{6}[ .-][0-9]{4})/,
  ipv4Core: /[0-9]\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]/,
};

/**
 * Characters that are not ASCII but whose low byte is a digit or a separator (`İ` is U+0130,
 * `〰` U+3030), digits of other scripts, a lone surrogate and an astral digit: a search that
 * read text as bytes would take some of them for the shapes' characters.
 */
export const lookalikes = [
  'İ',
  '\u3030',
  '\u2e2e',
  '\u202d',
  '\u0129',
  '\u0660',
  '\uff10',
  'é',
  '\u00a0',
  '\ud835',
  '𝟎',
];

/** A piece of text where a shape matches, or almost (a digit short, another separator). */
export const shapeLike = [
  /^[ .)-][2-9][0-9]{2}[ .-][0-9]{4}$/,
  /^[0-9]{3}[ -][0-9]{2}[ -][0-9]{4}$/,
  /^[0-9]{8,10}$/,
  /^[2-7][0-9]{3}([0-9]{8,10}|[ .-][0-9]{4}[ .-][0-9]{4}[ .-][0-9]{1,4}|[ .-][0-9]{6}[ .-][0-9]{4,5})$/,
  /^[0-9]{1,4}\.[0-9]{1,4}\.[0-9]{1,4}\.[0-9]{0,3}$/,
];
