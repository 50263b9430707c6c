import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES_DIR, loadRuleCatalog } from '../../../functions/adapters/local-rule-set-source.ts';
import { compileRuleSet } from '../../../functions/core/redaction/compile-rule-set.ts';
import { createFormatRedactor } from '../../../functions/core/redaction/formats/create-format-redactor.ts';
import { Redactor } from '../../../functions/core/redaction/redactor.ts';
import { passwordDescriptions } from '../../../functions/core/redaction/validators/password-descriptions.ts';
import { withoutTextFields } from '../../support/shipped-rules.ts';
import { testTokenKeys } from '../actions/test-token-keys.ts';

// The shipped `default` rule set (secrets pack enabled), as a text object would be redacted by
// its detectors alone: field-person-name would take the `name:` of env lists (text-fields.test.ts).
const resolved = (await loadRuleCatalog(DEFAULT_RULES_DIR)).get('default');
if (resolved === undefined) throw new Error('the default rule set is missing');
const compiled = withoutTextFields(
  compileRuleSet(resolved.ruleSet, testTokenKeys('k1'), resolved.positionOf, resolved.packs),
);

function redact(text: string): string {
  const formatRedactor = createFormatRedactor('text', new Redactor(compiled));
  return formatRedactor.push(text) + formatRedactor.end();
}

/** Where a password sits by construction: command-line flags and credential files. */
interface Place {
  readonly member: string;
  /** The fewest characters the member takes there. */
  readonly minLength: number;
  readonly label: string;
  readonly line: (secret: string) => string;
}

const places: readonly Place[] = [
  {
    member: 'password-cli-flag',
    minLength: 4,
    label: '[PASSWORD]',
    line: (secret) => `mysql --user=app --password ${secret} prod`,
  },
  {
    member: 'password-cli-flag',
    minLength: 4,
    label: '[PASSWORD]',
    line: (secret) => `mysqladmin -u root --password=${secret} status`,
  },
  {
    member: 'mysql-password-flag',
    minLength: 4,
    label: '[PASSWORD]',
    line: (secret) => `mysql -u root -p${secret} -h db01 prod`,
  },
  {
    member: 'login-password-flag',
    minLength: 4,
    label: '[PASSWORD]',
    line: (secret) => `docker login -u deploy -p ${secret} registry.example.com`,
  },
  {
    member: 'login-password-flag',
    minLength: 4,
    label: '[PASSWORD]',
    line: (secret) => `sshpass -p ${secret} ssh admin@db01`,
  },
  {
    member: 'netrc-password',
    minLength: 3,
    label: '[PASSWORD]',
    line: (secret) => `machine ftp.example.com login ana password ${secret}`,
  },
  {
    member: 'pgpass-password',
    minLength: 3,
    label: '[PASSWORD]',
    line: (secret) => `db.internal:5432:shop:app:${secret}`,
  },
  {
    member: 'env-list-password-word',
    minLength: 6,
    label: '[SECRET]',
    line: (secret) => `    env:\n      - name: DB_PASSWORD\n        value: ${secret}`,
  },
  {
    member: 'env-list-password-word',
    minLength: 6,
    label: '[SECRET]',
    line: (secret) => `  - name: SMTP_PASS\n    value: "${secret}"`,
  },
];

/** Options of find and compilers that follow -p on a line that names mysql: no password. */
const dashPOptions = new Set(['ath', 'erm', 'rint', 'rintf', 'rune', 'thread', 'edantic', 'ipe']);

/** Words people choose as passwords: letters of both cases, 3 to 30 of them, none that describes or masks one. */
const letterPassword = fc
  .stringMatching(/^[A-Za-z]{3,30}$/)
  .filter(
    (word) =>
      !passwordDescriptions.has(word.toLowerCase()) &&
      !/fake|dummy|placeholder|redacted|xxxx/i.test(word) &&
      !dashPOptions.has(word),
  );

/** Lines before and after the credential, so that a redaction that eats a line break shows. */
const around = (line: string): string => `# deploy notes\n${line}\nexit 0\n`;

describe('letter-only passwords in command-line flags and credential files', () => {
  it('are redacted where the value is a password by construction, the lines kept (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...places), letterPassword, (place, secret) => {
        fc.pre(secret.length >= place.minLength);
        const text = around(place.line(secret));
        expect(redact(text), `${place.member}: ${text}`).toBe(around(place.line(place.label)));
      }),
      { numRuns: 300 },
    );
  });

  it('keep the words that describe a password there (property)', () => {
    const descriptions = [...passwordDescriptions].filter((word) => /^[a-z]{4,}$/.test(word));
    fc.assert(
      fc.property(fc.constantFrom(...places), fc.constantFrom(...descriptions), (place, word) => {
        const text = around(place.line(word));
        expect(redact(text), `${place.member}: ${text}`).toBe(text);
      }),
      { numRuns: 300 },
    );
  });

  it('keep find and compiler options after -p on a line that names mysql', () => {
    for (const option of dashPOptions) {
      const text = around(`find /var/lib/mysql -name x -p${option} -newer /tmp/mark`);
      expect(redact(text), text).toBe(text);
    }
    const gcc = around('gcc -pthread -pedantic -pipe -o probe probe.c -lmysqlclient');
    expect(redact(gcc)).toBe(gcc);
  });
});
