import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exactLengthBody } from '../../../functions/adapters/exact-length-body.ts';
import { openRedactionStream } from '../../../functions/adapters/node-redaction-stream.ts';
import { ServiceUnavailableError } from '../../../functions/core/errors.ts';
import { shippedRuleSet } from '../../support/shipped-rules.ts';

const EMAIL = 'planted.victim@example.com';
const CARD = '4111111111111111';

/** One object per format, each holding both planted values. */
const OBJECTS: readonly { key: string; text: string }[] = [
  { key: 'app.log', text: `first line\nuser ${EMAIL} paid with ${CARD}\nlast line\n` },
  { key: 'people.csv', text: `name,contact,card\nVic,${EMAIL},${CARD}\nAl,none,none\n` },
  { key: 'events.ndjson', text: `{"n":1}\n{"contact":"${EMAIL}","card":"${CARD}"}\n{"n":3}\n` },
  { key: 'profile.json', text: `{"people":[{"contact":"${EMAIL}","note":"card ${CARD}"}],"n":2}` },
];

/** The announced length of the whole object, its bytes only up to the cut, in arbitrary chunks. */
async function* cutSource(bytes: Buffer, cut: number, chunkBytes: number): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < cut; at += chunkBytes) yield bytes.subarray(at, Math.min(cut, at + chunkBytes));
}

describe('a source cut short, through the redaction stream', () => {
  it('fails with the source’s error without flushing the held tail: no fragment of a planted value is served, in any format', async () => {
    const ruleSet = await shippedRuleSet();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...OBJECTS),
        fc.nat(),
        fc.integer({ min: 1, max: 64 }),
        async (object, at, chunkBytes) => {
          const bytes = Buffer.from(object.text);
          const cut = at % bytes.byteLength;
          const body = exactLengthBody(cutSource(bytes, cut, chunkBytes), bytes.byteLength);
          let served = '';
          let error: unknown;
          try {
            const redaction = await openRedactionStream(body, { ruleSet, key: object.key });
            for await (const chunk of redaction.body) served += Buffer.from(chunk).toString('utf8');
          } catch (caught) {
            error = caught;
          }

          expect(error).toBeInstanceOf(ServiceUnavailableError);
          for (const value of [EMAIL, CARD]) {
            for (let start = 0; start + 6 <= value.length; start++) {
              expect(served).not.toContain(value.slice(start, start + 6));
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
