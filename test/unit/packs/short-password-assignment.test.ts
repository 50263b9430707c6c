import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES_DIR, loadRuleCatalog } from '../../../functions/adapters/local-rule-set-source.ts';
import { compileRuleSet } from '../../../functions/core/redaction/compile-rule-set.ts';
import { createFormatRedactor } from '../../../functions/core/redaction/formats/create-format-redactor.ts';
import { Redactor } from '../../../functions/core/redaction/redactor.ts';
import { testTokenKeys } from '../actions/test-token-keys.ts';

// The shipped `default` rule set (secrets pack enabled), as a text object would be redacted.
const resolved = (await loadRuleCatalog(DEFAULT_RULES_DIR)).get('default');
if (resolved === undefined) throw new Error('the default rule set is missing');
const compiled = compileRuleSet(resolved.ruleSet, testTokenKeys('k1'), resolved.positionOf, resolved.packs);

function redact(text: string): string {
  const formatRedactor = createFormatRedactor('text', new Redactor(compiled));
  return formatRedactor.push(text) + formatRedactor.end();
}

/** Names ending in password, passwd or pwd, in the spellings configuration and code use. */
const name = fc.constantFrom(
  'password',
  'Password',
  'DB_PASSWORD',
  'spring.datasource.password',
  'userPassword',
  'smtp_passwd',
  'Pwd',
  'DB_PWD',
  'dbPwd',
);

/** Lines assigning `value` (already quoted) to `key`, in the forms of configuration files, logs and code. */
const form = fc.constantFrom<(key: string, value: string) => string>(
  (key, value) => `${key}=${value}`,
  (key, value) => `export ${key}=${value}`,
  (key, value) => `[db]\n${key} = ${value}\n`,
  (key, value) => `db:\n  ${key}: ${value}\n`,
  (key, value) => `{"user": "ana", "${key}": ${value}, "retries": 3}`,
  (key, value) => `${key} := ${value}`,
  (key, value) => `  '${key}' => ${value},`,
  (key, value) => `Server=db;User Id=app;${key}=${value};`,
  (key, value) => `GET /login?user=ana&${key}=${value}&next=/home`,
  (key, value) => `level=info user=ana ${key}=${value} status=ok`,
);

const quote = fc.constantFrom<(value: string) => string>(
  (value) => value,
  (value) => `"${value}"`,
  (value) => `'${value}'`,
);

/**
 * Passwords as people choose them: letters with a digit or symbol, distinct characters (no
 * run, no repeat), a letter or digit first; `length` characters.
 */
function password(minLength: number, maxLength: number): fc.Arbitrary<string> {
  const letters = [...'bCdFgHJkLmNpQrStUvWxYz'];
  const others = [...'23456789!@#^+?'];
  return fc
    .integer({ min: minLength, max: maxLength })
    .chain((length) =>
      fc.tuple(
        fc.shuffledSubarray(letters, { minLength: 1, maxLength: Math.min(letters.length, length - 1) }),
        fc.shuffledSubarray(others, { minLength: 1, maxLength: others.length }),
        fc.constant(length),
      ),
    )
    .filter(([someLetters, someOthers, length]) => someLetters.length + someOthers.length >= length)
    .map(([someLetters, someOthers, length]) => {
      const chosen = [...someLetters, ...someOthers.slice(0, length - someLetters.length)];
      return chosen.slice(0, length);
    })
    .chain((chosen) => fc.shuffledSubarray(chosen, { minLength: chosen.length, maxLength: chosen.length }))
    .map((characters) => {
      const first = characters.findIndex((character) => /[A-Za-z0-9]/.test(character));
      return [characters[first], ...characters.filter((_, i) => i !== first)].join('');
    });
}

describe('short passwords assigned to password names', () => {
  it('redacts passwords of 6 characters and more in every form and quoting, keeping the lines (property)', () => {
    fc.assert(
      fc.property(name, form, quote, password(6, 12), (key, write, quoted, secret) => {
        const text = write(key, quoted(secret));
        const out = redact(text);
        expect(out, text).not.toContain(secret);
        // A password holding & ; or # on a line of its own is the value of password-to-end-of-line.
        expect(out, text).toMatch(/\[(?:SECRET|PASSWORD)\]/);
        expect(out.split('\n').length, text).toBe(text.split('\n').length);
      }),
      { numRuns: 400 },
    );
  });

  it('redacts a password element of XML', () => {
    fc.assert(
      fc.property(fc.constantFrom('password', 'Password', 'dbPwd'), password(6, 7), (key, secret) => {
        const text = `<config><${key}>${secret}</${key}></config>`;
        expect(redact(text)).toMatch(
          new RegExp(`^<config><${key}>\\[(?:SECRET|PASSWORD)\\]</${key}></config>$`),
        );
      }),
      { numRuns: 50 },
    );
  });

  /** Values of 6 or 7 characters that are settings, words, masks or references, not passwords. */
  const nearMiss = fc.oneof(
    fc.constantFrom('default', 'missing', 'letmein', 'Secret', 'enabled', 'invalid', 'hunter'),
    fc.stringMatching(/^[0-9]{6,7}$/),
    fc.constantFrom('******', '*******', 'xxxxxxx', '000000'),
    // biome-ignore lint/suspicious/noTemplateCurlyInString: template references are the near misses
    fc.constantFrom('${DB_PW}', '{{pw}}', '%(pw)s', '<value>', '<pass>', '$PASSWD', '%DBPW%'),
    fc.constantFrom('pw_var', 'my_pwd', 'os.env', 'pass_in', 'get_pw'),
    fc.constantFrom('/opt/a1', '~/pw12', '!Ref'),
  );

  it('leaves words, numbers, masks, references, identifiers and paths alone in every form (property)', () => {
    fc.assert(
      fc.property(name, form, quote, nearMiss, (key, write, quoted, value) => {
        const text = write(key, quoted(value));
        expect(redact(text)).toBe(text);
      }),
      { numRuns: 400 },
    );
  });

  it('leaves short passwords under names that only begin with password alone (property)', () => {
    const setting = fc.constantFrom('password_hint', 'PASSWORD_MIN', 'pwdPolicy', 'passwordRule');
    fc.assert(
      fc.property(setting, form, password(6, 7), (key, write, value) => {
        const text = write(key, value);
        expect(redact(text)).toBe(text);
      }),
      { numRuns: 200 },
    );
  });

  it('leaves comparisons alone', () => {
    for (const text of ['if password == "k9Lm2x":', 'password === "k9Lm2x"', 'password != "k9Lm2x"']) {
      expect(redact(text), text).toBe(text);
    }
  });
});
