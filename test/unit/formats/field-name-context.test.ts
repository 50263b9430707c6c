import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Detector } from '../../../functions/core/redaction/detector.ts';
import {
  builtInDetectorIds,
  createBuiltInDetector,
} from '../../../functions/core/redaction/detectors/built-in-detectors.ts';
import { Redactor } from '../../../functions/core/redaction/redactor.ts';
import {
  awsSecretKey,
  conventions,
  fieldName,
  flat,
  formats,
  jsonWrappers,
  parseOutput,
  plantedDocument,
  plantedValue,
  redactIn,
} from '../../support/planted-fields.ts';
import { compiledRuleSetOf } from '../support/compiled-rule-set.ts';

/** Every built-in detector and no field rule: only the field name as context can find a bare key. */
function detectorsOnly(): Redactor {
  return new Redactor(
    compiledRuleSetOf(builtInDetectorIds.map((id) => createBuiltInDetector(id) as Detector)),
  );
}

const secretKeyName = fieldName(
  fc
    .tuple(
      fc.constantFrom([], ['prod'], ['my', 'app']),
      fc.constantFrom(
        ['aws', 'secret', 'access', 'key'],
        ['secret', 'access', 'key'],
        ['aws', 'secret'],
        ['secret', 'key'],
      ),
      fc.constantFrom([], ['value'], ['2']),
    )
    .map(([prefix, core, suffix]) => [...prefix, ...core, ...suffix]),
  [...Object.values(conventions), flat],
);

describe('field names as detector context', () => {
  it('redacts a bare AWS secret key stored under a field naming one, in any format, spelling, depth or chunking', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...formats),
        secretKeyName,
        awsSecretKey,
        jsonWrappers,
        fc.boolean(),
        fc.array(fc.nat(), { maxLength: 6 }),
        (format, name, key, outer, isNameOnAncestor, cuts) => {
          // The name may be a key further up the path: `{"aws_secret": [{"current": "…"}]}`.
          const onAncestor = isNameOnAncestor && format !== 'csv';
          const wrappers = onAncestor ? [...outer, { key: name }, { key: undefined }] : outer;
          const planted = onAncestor ? 'current' : name;
          const input = plantedDocument(format, planted, key, wrappers);

          const output = redactIn(format, detectorsOnly(), input, cuts);

          expect(output).not.toContain(key);
          expect(plantedValue(format, parseOutput(format, output), planted, wrappers)).toBe(
            '[AWS_SECRET_KEY]',
          );
        },
      ),
      { numRuns: 400 },
    );
  });

  it('keeps a 40-character base64 value under a field name that names no secret key', () => {
    const value = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    for (const format of formats) {
      for (const name of ['checksum', 'SecretArn', 'access_key_id', 'secretary']) {
        const output = redactIn(format, detectorsOnly(), plantedDocument(format, name, value));
        expect(plantedValue(format, parseOutput(format, output), name), `${format} ${name}`).toBe(value);
      }
    }
  });
});
