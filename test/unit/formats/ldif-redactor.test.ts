import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { LimitExceededError, MalformedObjectError } from '../../../functions/core/errors.ts';
import { createFormatRedactor } from '../../../functions/core/redaction/formats/create-format-redactor.ts';
import { type CompiledRuleSet, Redactor } from '../../../functions/core/redaction/redactor.ts';
import { shippedRuleSet } from '../../support/shipped-rules.ts';
import { compiledRuleSetOf, nameFieldRule, sampleDetectors } from '../support/compiled-rule-set.ts';
import {
  LDIF_NEAR_MISSES,
  LDIF_PLANTS,
  ldifSkeleton,
  parseLdif,
  plantedLdif,
  writeLdif,
} from '../support/planted-ldif.ts';
import { splitAt } from '../support/split-at.ts';

let ruleSet: CompiledRuleSet;
beforeAll(async () => {
  ruleSet = await shippedRuleSet('default');
});

function redactLdif(
  chunks: readonly string[],
  rules = ruleSet,
): { out: string; counts: Map<string, number> } {
  const redactor = new Redactor(rules);
  const ldif = createFormatRedactor('ldif', redactor);
  const out = chunks.map((chunk) => ldif.push(chunk)).join('') + ldif.end();
  return { out, counts: redactor.counts };
}

/** What the redactor emitted before it failed, and the error. */
function failure(chunks: readonly string[]): { out: string; error: unknown } {
  const ldif = createFormatRedactor('ldif', new Redactor(ruleSet));
  let out = '';
  try {
    for (const chunk of chunks) out += ldif.push(chunk);
    out += ldif.end();
  } catch (error) {
    return { out, error };
  }
  throw new Error('expected the LDIF to be refused');
}

function expectNoPlant(text: string): void {
  for (const value of Object.values(LDIF_PLANTS)) expect(text).not.toContain(value);
  // Nor in the base64 a value was written in.
  for (const value of Object.values(LDIF_PLANTS))
    expect(text).not.toContain(Buffer.from(value).toString('base64'));
}

const b64 = (text: string): string => Buffer.from(text).toString('base64');

describe('createLdifRedactor', () => {
  it('redacts every planted value, plain, base64 or folded, keeping records and attributes, whatever the chunking', () => {
    fc.assert(
      fc.property(plantedLdif, fc.array(fc.nat(), { maxLength: 8 }), (file, cuts) => {
        const input = writeLdif(file);
        const whole = redactLdif([input]).out;
        expect(redactLdif(splitAt(input, cuts)).out).toBe(whole);
        expectNoPlant(whole);
        const parsed = parseLdif(whole);
        expect(ldifSkeleton(parsed)).toEqual(ldifSkeleton(parseLdif(input)));
        for (const record of parsed) for (const line of record) expectNoPlant(line.value);
        // Physical lines only grow where a changed value was written anew (no fold then).
        expect(whole.split('\n').length).toBeLessThanOrEqual(input.split('\n').length);
      }),
      { numRuns: 300 },
    );
  });

  it('writes an LDIF that no rule changes byte for byte, near misses, folds, comments and CRLF included', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...LDIF_NEAR_MISSES), { minLength: 1, maxLength: 8 }),
        fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 2, max: 30 })), { minLength: 8, maxLength: 8 }),
        fc.constantFrom('\n', '\r\n'),
        fc.array(fc.nat(), { maxLength: 5 }),
        (attributes, forms, newline, cuts) => {
          const lines = attributes.map(([name, value], i) => {
            const [isBase64, width] = forms[i] ?? [false, 80];
            const logical = isBase64 ? `${name}:: ${b64(value)}` : `${name}: ${value}`;
            return logical.length > width
              ? `${logical.slice(0, width)}${newline} ${logical.slice(width)}`
              : logical;
          });
          const input = ['version: 1', '', '# nightly', 'dn: uid=jdoe,dc=example', ...lines, '-', ''].join(
            newline,
          );
          expect(redactLdif(splitAt(input, cuts)).out).toBe(input);
        },
      ),
    );
  });

  it('writes a changed base64 value in base64 and a plain one plain, refolded at 76 when it was folded', () => {
    const long = `description: ${'x'.repeat(60)} ${LDIF_PLANTS.email} ${'y'.repeat(60)}`;
    const folded = `${long.slice(0, 76)}\n ${long.slice(76)}`;
    const input = `dn: uid=a,dc=example\nmail:: ${b64(LDIF_PLANTS.email)}\nmail: ${LDIF_PLANTS.email}\n${folded}\n`;
    const out = redactLdif([input]).out;
    const redactedLong = `description: ${'x'.repeat(60)} [EMAIL] ${'y'.repeat(60)}`;
    expect(out).toBe(
      `dn: uid=a,dc=example\nmail:: ${b64('[EMAIL]')}\nmail: [EMAIL]\n${redactedLong.slice(0, 76)}\n ${redactedLong.slice(76)}\n`,
    );
  });

  it('replaces passwords and hashes by the attribute name, whatever the value looks like', () => {
    const values = ['hunter2', LDIF_PLANTS.hash, '{CRYPT}$6$rounds=5000$abc$def', 'x'];
    for (const name of [
      'userPassword',
      'unicodePwd',
      'sambaNTPassword',
      'authPassword',
      'userPassword;binary',
    ]) {
      for (const value of values) {
        const { out } = redactLdif([`dn: uid=a,dc=x\n${name}: ${value}\n${name}:: ${b64(value)}\n`]);
        expect(out).toBe(`dn: uid=a,dc=x\n${name}: [SECRET]\n${name}:: ${b64('[SECRET]')}\n`);
      }
    }
  });

  it('replaces credential attributes that no field rule names, under a rule set without field rules', () => {
    const bare = compiledRuleSetOf(sampleDetectors());
    const input = `dn: uid=a,dc=x\nuserPassword: hunter2\nkrbPrincipalKey:: MAsCAQA=\nolcRootPW: ${LDIF_PLANTS.hash}\ncn: hunter2\n`;
    const { out, counts } = redactLdif([input], bare);
    expect(out).toBe(
      `dn: uid=a,dc=x\nuserPassword: [SECRET]\nkrbPrincipalKey:: ${b64('[SECRET]')}\nolcRootPW: [SECRET]\ncn: hunter2\n`,
    );
    expect(counts.get('ldif-credential')).toBe(3);
    // Attribute types are case-insensitive (RFC 4512 §2.5).
    expect(redactLdif(['dn: uid=a\nKRBPRINCIPALKEY: x\nUserPassword: y\n'], bare).out).toBe(
      'dn: uid=a\nKRBPRINCIPALKEY: [SECRET]\nUserPassword: [SECRET]\n',
    );
  });

  it('replaces a base64 value that is not UTF-8 text with [BINARY], and keeps it under a keep rule', () => {
    const photo = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46]).toString('base64');
    const cert = Buffer.from([0x30, 0x82, 0x01, 0x0a, 0x02, 0x82]).toString('base64');
    const control = Buffer.from('ab\u0001cd').toString('base64');
    const input = `dn: uid=a,dc=x\njpegPhoto:: ${photo}\nuserCertificate;binary:: ${cert}\nx-blob:: ${control}\n`;
    const { out, counts } = redactLdif([input]);
    const binary = b64('[BINARY]');
    expect(out).toBe(
      `dn: uid=a,dc=x\njpegPhoto:: ${binary}\nuserCertificate;binary:: ${binary}\nx-blob:: ${binary}\n`,
    );
    expect(counts.get('ldif-binary')).toBe(3);
    const keeping = compiledRuleSetOf([], [{ ...nameFieldRule('field-photo', ['jpegPhoto']), isKeep: true }]);
    expect(redactLdif([`dn: uid=a\njpegPhoto:: ${photo}\n`], keeping).out).toBe(
      `dn: uid=a\njpegPhoto:: ${photo}\n`,
    );
  });

  it('redacts each value of a DN by its type, escapes kept where nothing changed', () => {
    const input = [
      `dn: mail=${LDIF_PLANTS.email}+ou=M\\C3\\BCnchen,ou=people,dc=example`,
      `dn: cn=J\\C3\\BCrgen M\\C3\\BCller,ou=people,dc=example`,
      `dn:: ${b64(`sn=${LDIF_PLANTS.surname}, ou=people, dc=example`)}`,
      `newsuperior: ou=a\\, b,dc=example`,
      '',
    ].join('\n');
    expect(redactLdif([input]).out).toBe(
      [
        'dn: mail=[EMAIL]+ou=M\\C3\\BCnchen,ou=people,dc=example',
        'dn: cn=[NAME],ou=people,dc=example',
        `dn:: ${b64('sn=[NAME], ou=people, dc=example')}`,
        'newsuperior: ou=a\\, b,dc=example',
        '',
      ].join('\n'),
    );
  });

  it('redacts comments with the detectors, and a URL as the value of its attribute', () => {
    const url = 'userPassword:< file:///etc/ldap/pw.txt\n';
    expect(redactLdif([`dn: uid=a\n${url}`]).out).toBe('dn: uid=a\nuserPassword:< [SECRET]\n');
    const input = `# exported for ${LDIF_PLANTS.email}\ndn: uid=a\nseeAlso:< https://x.example/${LDIF_PLANTS.awsKey}\n`;
    expect(redactLdif([input]).out).toBe(
      '# exported for [EMAIL]\ndn: uid=a\nseeAlso:< https://x.example/[AWS_ACCESS_KEY_ID]\n',
    );
  });

  it('writes a dropped value empty, keeping the attribute line', () => {
    const dropping = compiledRuleSetOf([], [nameFieldRule('field-mail', ['mail'], () => undefined)]);
    const input = `dn: uid=a\nmail: ${LDIF_PLANTS.email}\nmail:: ${b64(LDIF_PLANTS.email)}\n`;
    expect(redactLdif([input], dropping).out).toBe('dn: uid=a\nmail:\nmail::\n');
  });

  it('writes base64 where the redacted text of a plain value needs it', () => {
    const padding = compiledRuleSetOf(
      [],
      [nameFieldRule('field-room', ['roomNumber'], (value) => ` ${value}`)],
    );
    // The redacted value starts with a space: RFC 2849 wants it in base64.
    expect(redactLdif(['dn: uid=a\nroomNumber: 12b\n'], padding).out).toBe(
      `dn: uid=a\nroomNumber:: ${b64(' 12b')}\n`,
    );
  });

  it('fails on malformed LDIF with no planted value emitted or named', () => {
    const cases = [
      ` mail: ${LDIF_PLANTS.email}\n`,
      `dn: uid=a\nmail: x\n\n ${LDIF_PLANTS.email}\n`,
      `dn: uid=a\nmail:: ${b64(LDIF_PLANTS.email).slice(0, -2)}!\n`,
      `dn: uid=a\nmail:: ${b64(LDIF_PLANTS.email).replace(/=+$/, '')}\n`,
      `dn: uid=a\n${LDIF_PLANTS.email}\n`,
      `dn: uid=a\nfor ${LDIF_PLANTS.password}: x\n`,
      `dn: uid=a\n${LDIF_PLANTS.awsKey}: x\n`,
      `dn: ${LDIF_PLANTS.awsKey}=a,dc=x\n`,
    ];
    fc.assert(
      fc.property(fc.constantFrom(...cases), fc.array(fc.nat(), { maxLength: 5 }), (input, cuts) => {
        const { out, error } = failure(splitAt(input, cuts));
        expect(error).toBeInstanceOf(MalformedObjectError);
        expectNoPlant(out);
        expectNoPlant(`${(error as Error).message}\n${(error as Error).stack}`);
      }),
    );
  });

  it('fails on a logical line longer than maxRecordBytes, folds included, before holding more', () => {
    const limit = ruleSet.limits.maxRecordBytes;
    const folded = `dn: uid=a\ndescription: ${LDIF_PLANTS.email}${'\n x'.repeat(limit)}\n`;
    const { out, error } = failure(splitAt(folded, [4096, 8192]));
    expect(error).toBeInstanceOf(LimitExceededError);
    expectNoPlant(out);
    expect(failure([`dn: uid=a\ndescription: ${'x'.repeat(limit + 1)}`]).error).toBeInstanceOf(
      LimitExceededError,
    );
  });
});
