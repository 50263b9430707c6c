import fc from 'fast-check';

/**
 * Generated sensitive values of the kinds the default rule set promises to remove. Each run draws
 * fresh ones, so a fix that recognises one example but not its class fails here.
 */
export interface Planted {
  readonly email: string;
  readonly ssn: string;
  readonly card: string;
  readonly awsKeyId: string;
  /** Recognisable only by the field or column that names it. */
  readonly awsSecret: string;
  readonly password: string;
}

const lower = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz');
const word = (min: number, max: number) =>
  fc.array(lower, { minLength: min, maxLength: max }).map((chars) => chars.join(''));
const upperDigit = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567');
const secretChar = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+');

/** A Visa-shaped number that passes the Luhn check. */
function luhnCard(digits: readonly number[]): string {
  const body = [4, ...digits];
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    const fromRight = body.length - i;
    let d = body[i] ?? 0;
    if (fromRight % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return [...body, (10 - (sum % 10)) % 10].join('');
}

export const plantedArbitrary: fc.Arbitrary<Planted> = fc.record({
  email: fc
    .tuple(word(4, 9), word(3, 8), word(4, 9))
    .map(([user, tag, domain]) => `${user}.${tag}@${domain}.com`),
  ssn: fc
    .tuple(
      fc.integer({ min: 1, max: 665 }),
      fc.integer({ min: 1, max: 99 }),
      fc.integer({ min: 1, max: 9999 }),
    )
    .filter(([area]) => area !== 666)
    .map(
      ([area, group, serial]) =>
        `${String(area).padStart(3, '0')}-${String(group).padStart(2, '0')}-${String(serial).padStart(4, '0')}`,
    ),
  card: fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 14, maxLength: 14 }).map(luhnCard),
  awsKeyId: fc.array(upperDigit, { minLength: 16, maxLength: 16 }).map((chars) => `AKIA${chars.join('')}`),
  awsSecret: fc.array(secretChar, { minLength: 40, maxLength: 40 }).map((chars) => chars.join('')),
  password: fc
    .tuple(word(6, 10), fc.integer({ min: 100, max: 999 }), word(4, 8))
    .map(([a, n, b]) => `${a}-${n}-${b}!`),
});

/** Every planted value, and the prefixes a truncated transfer could leave behind. */
export function plantedValues(planted: Planted): string[] {
  return Object.values(planted);
}

/**
 * The texts that must never be found in anything a caller or a log receives: each value whole,
 * and its leading part (a value cut by a truncated source must not leak its first characters).
 */
export function forbiddenTexts(planted: Planted): string[] {
  const texts: string[] = [];
  for (const value of plantedValues(planted)) {
    texts.push(value);
    if (value.length >= 14) texts.push(value.slice(0, Math.ceil(value.length * 0.6)));
  }
  return texts;
}

/** Fails with the first forbidden text found in `text` (named by where it was found). */
export function findLeak(planted: Planted, text: string): string | undefined {
  return forbiddenTexts(planted).find((value) => text.includes(value));
}
