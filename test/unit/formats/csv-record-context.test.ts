import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { createCsvRedactor } from '../../../functions/core/redaction/formats/csv-redactor.ts';
import { type CompiledRuleSet, Redactor } from '../../../functions/core/redaction/redactor.ts';
import { awsSecretKey, conventions } from '../../support/planted-fields.ts';
import { shippedRuleSet } from '../../support/shipped-rules.ts';
import { splitAt } from '../support/split-at.ts';
import { parseCsv } from './parse-csv.ts';

let ruleSet: CompiledRuleSet;

beforeAll(async () => {
  ruleSet = await shippedRuleSet('default');
});

const UPPER_DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** A long-term or temporary access key id: what the secret key of a credential export follows. */
const keyId = fc
  .tuple(
    fc.constantFrom('AKIA', 'ASIA'),
    fc.string({ unit: fc.constantFrom(...UPPER_DIGITS), minLength: 16, maxLength: 16 }),
  )
  .map(([prefix, rest]) => prefix + rest);

/** A cell naming the secret key in the next cell, written in any convention. */
const keyName = fc
  .tuple(
    fc.constantFrom(['aws', 'secret', 'access', 'key'], ['secret', 'access', 'key'], ['secret', 'key']),
    fc.constantFrom(...Object.values(conventions)),
  )
  .map(([words, convention]) => convention(words));

/** Cells no detector of the shipped rule set takes for a value, nor for context. */
const filler = fc.constantFrom('', 'ok', 'Active', 'us-east-1', 'x y', 'l1\nl2', 'a"b', 'é😀', '12');

/**
 * A headerless CSV: each record holds a context cell (`context`) and, right after it, a secret
 * key, among filler cells; random delimiter, quoting and terminators. Returns the document,
 * its delimiter, the secrets planted and the pairs of context and secret.
 */
function headerlessCsv(context: fc.Arbitrary<string>) {
  return fc.constantFrom(',', ';', '\t', '|').chain((delimiter) => {
    const cell = (value: fc.Arbitrary<string>) =>
      fc.tuple(value, fc.boolean()).map(([text, wantsQuotes]) => {
        const mustQuote = text.startsWith('"') || /[\r\n]/.test(text) || text.includes(delimiter);
        return wantsQuotes || mustQuote ? `"${text.replaceAll('"', '""')}"` : text;
      });
    const record = fc
      .record({
        before: fc.array(cell(filler), { maxLength: 2 }),
        context: context.chain((value) => cell(fc.constant(value)).map((cell) => ({ cell, value }))),
        secret: awsSecretKey,
        isSecretQuoted: fc.boolean(),
        after: fc.array(cell(filler), { maxLength: 2 }),
      })
      .map(({ before, context, secret, isSecretQuoted, after }) => ({
        text: [...before, context.cell, isSecretQuoted ? `"${secret}"` : secret, ...after].join(delimiter),
        pair: { context: context.value, secret },
      }));
    return fc
      .record({
        records: fc.array(fc.tuple(record, fc.constantFrom('\n', '\r\n', '\r')), {
          minLength: 1,
          maxLength: 6,
        }),
        isTerminated: fc.boolean(),
      })
      .map(({ records, isTerminated }) => {
        const lines = records.map(([{ text }, end], index) =>
          index < records.length - 1 || isTerminated ? text + end : text,
        );
        const pairs = records.map(([{ pair }]) => pair);
        return { input: lines.join(''), delimiter, pairs, secrets: pairs.map(({ secret }) => secret) };
      });
  });
}

function redact(chunks: readonly string[], delimiter?: string): string {
  const csv = createCsvRedactor(new Redactor(ruleSet), delimiter === undefined ? {} : { delimiter });
  return chunks.map((chunk) => csv.push(chunk)).join('') + csv.end();
}

/** The records of `csv` as the number of cells in each. */
function shape(csv: string, delimiter: string): number[] {
  return parseCsv(csv, delimiter).records.map((record) => record.cells.length);
}

describe('CSV record context', () => {
  it('redacts a secret key right after its access key id in a CSV without a header, whatever the delimiter, quoting and chunking', () => {
    fc.assert(
      fc.property(
        headerlessCsv(keyId),
        fc.array(fc.nat(), { maxLength: 6 }),
        ({ input, delimiter, secrets }, points) => {
          const output = redact(splitAt(input, points), delimiter);

          for (const secret of secrets) expect(output).not.toContain(secret);
          expect(output).not.toMatch(/A[KS]IA[A-Z2-7]{16}/);
          expect(output).toBe(redact([input], delimiter));
          expect(shape(output, delimiter)).toEqual(shape(input, delimiter));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('redacts a secret key right after a cell naming it wherever text redacts it after that name and a space', () => {
    fc.assert(
      fc.property(
        headerlessCsv(keyName),
        fc.array(fc.nat(), { maxLength: 6 }),
        ({ input, delimiter, pairs }, points) => {
          const output = redact(splitAt(input, points), delimiter);

          for (const { context, secret } of pairs) {
            const text = new Redactor(ruleSet).redactText(`${context} ${secret}`);
            if (!text.includes(secret)) expect(output).not.toContain(secret);
          }
          expect(output).toBe(redact([input], delimiter));
          expect(shape(output, delimiter)).toEqual(shape(input, delimiter));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('leaves a cell naming the secret key in the next cell as it is', () => {
    const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

    expect(
      redact([
        `1,ok
2,aws_secret_access_key,${secret}
3,SecretAccessKey;${secret}
`,
      ]),
    ).toBe('1,ok\n2,aws_secret_access_key,[AWS_SECRET_KEY]\n3,SecretAccessKey;[AWS_SECRET_KEY]\n');
  });

  it('keeps a 40-character key-like value after a cell that is neither a key id nor a key name, as text does', () => {
    const notContext = fc.oneof(
      filler,
      fc.constantFrom('AKIB0000000000000000', 'AK1AIOSFODNN7EXAMPLE', 'key', 'access', 'id'),
    );
    fc.assert(
      fc.property(headerlessCsv(notContext), ({ input: records, delimiter, secrets }) => {
        // A header of names that are no context (see `Scanner.named`): without one, a column of
        // such values would be inferred to hold passwords (see csv-column-shapes.ts).
        const input = `c1${delimiter}c2\n${records}`;
        const output = redact([input], delimiter);

        const text = new Redactor(ruleSet).redactText(
          parseCsv(input, delimiter)
            .records.map((record) => record.cells.map((cell) => cell.value).join(' '))
            .join('\n'),
        );
        for (const secret of secrets) expect(output.includes(secret)).toBe(text.includes(secret));
      }),
      { numRuns: 200 },
    );
  });

  it('redacts the body of a private key split over cells (BEGIN line, body, END line), whatever the key kind, delimiter and quoting (generated)', () => {
    // The starts openssl and ssh-keygen write: PKCS#1 and PKCS#8 RSA, SEC1 EC on P-256/384/521,
    // PKCS#8 EC and Ed25519, OpenSSH. The PEM block spans cells, so no match of it may be used.
    const kinds = fc.constantFrom(
      ['RSA ', 'MIIEowIBAAKCAQEA'],
      ['', 'MIICdgIBADANBgkqhkiG9w0B'],
      ['EC ', 'MHcCAQEEI'],
      ['EC ', 'MIGkAgEBBDA'],
      ['EC ', 'MIHcAgEBBEIB'],
      ['', 'MIGHAgEAMBMGByqGSM49AgEG'],
      ['', 'MC4CAQAwBQYDK2VwBCIEI'],
      ['OPENSSH ', 'b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW'],
    );
    // Key material is random bytes: hash a drawn seed (fast-check's own bytes shrink towards
    // runs of zeros, which no key has and the entropy floor rightly refuses).
    const base64 = fc
      .tuple(fc.integer(), fc.integer({ min: 2, max: 19 }))
      .map(([seed, blocks]) =>
        Buffer.concat(
          Array.from({ length: blocks }, (_, block) =>
            createHash('sha256').update(`${seed}/${block}`).digest(),
          ),
        ).toString('base64'),
      );
    fc.assert(
      fc.property(
        kinds,
        base64,
        fc.constantFrom(',', ';', '\t', '|'),
        fc.boolean(),
        fc.constantFrom('\n', '\r\n'),
        ([kind, start], rest, delimiter, isQuoted, end) => {
          const body = start + rest.replace(/=+$/, '');
          const quote = (cell: string) => (isQuoted ? `"${cell}"` : cell);
          const record = [
            'prod',
            quote(`-----BEGIN ${kind}PRIVATE KEY-----`),
            quote(body),
            quote(`-----END ${kind}PRIVATE KEY-----`),
          ].join(delimiter);
          const input = `${record}${end}${['dev', 'none', 'ok', 'done'].join(delimiter)}${end}`;
          const output = redact([input], delimiter);

          expect(output).not.toContain(body.slice(start.length));
          expect(shape(output, delimiter)).toEqual(shape(input, delimiter));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('takes no context from another record, nor from a cell after the value', () => {
    const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

    expect(redact([`ok,AKIAIOSFODNN7EXAMPLE\n${secret},ok\n`])).toBe(
      `ok,[AWS_ACCESS_KEY_ID]\n${secret},ok\n`,
    );
    expect(redact([`ok,${secret},AKIAIOSFODNN7EXAMPLE\n`])).toBe(`ok,${secret},[AWS_ACCESS_KEY_ID]\n`);
  });

  it('keeps a CSV with a header naming its columns working as before', () => {
    const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

    expect(redact([`id,secret_access_key,note\n1,${secret},ok\n`])).toBe(
      'id,secret_access_key,note\n1,[SECRET],ok\n',
    );
    expect(redact([`id,note\n1,${secret}\n`])).toBe(`id,note\n1,${secret}\n`);
  });
});
