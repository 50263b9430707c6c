import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createDetectorGroup } from '../../../functions/core/redaction/detectors/detector-group.ts';
import { findAll } from '../detectors/find-all.ts';
import { shippedMembers } from './shipped-packs.ts';

const member = shippedMembers.find(({ entry }) => entry.id === 'domain-name');
if (member === undefined) throw new Error('no shipped pack detector domain-name');
const domainName = createDetectorGroup([member.entry.createMember()]);

/** A domain label: a letter or digit, then letters, digits and dashes. */
const label = fc
  .tuple(
    fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789'),
    fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789-'), maxLength: 11 }),
  )
  .map(([first, rest]) => first + rest);
const topLevel = fc.constantFrom('com', 'org', 'net', 'dev', 'info', 'de', 'uk', 'il');
const keyword = fc.constantFrom('domain', 'Domains:', 'website', 'Homepage =', 'host name');

describe('domain-name (network pack)', () => {
  it('finds a domain of one to four labels and a top-level domain after a keyword (property)', () => {
    fc.assert(
      fc.property(keyword, fc.array(label, { minLength: 1, maxLength: 4 }), topLevel, (lead, labels, tld) => {
        const domain = `${labels.join('.')}.${tld}`;
        expect(findAll(domainName, `${lead} ${domain}, thanks`)).toEqual([domain]);
      }),
      { numRuns: 200 },
    );
  });

  it('leaves file names, versions, e-mail domains, URL hosts and domains without a keyword (generated near misses)', () => {
    fc.assert(
      fc.property(
        keyword,
        label,
        fc.constantFrom('csv', 'json', 'yaml', 'txt', 'html', 'xlsx', 'ts', 'py', 'md', 'sh', 'js', 'rb'),
        (lead, name, extension) => {
          for (const text of [
            `${lead} ${name}.${extension}`,
            `${lead} 2.14.3`,
            `${lead} admin jane@${name}.com`,
            `${lead} https://${name}.com/a`,
            `${lead} C:/data/${name}.de`,
            `${lead} -${name}.com`,
            `visited ${name}.com yesterday`,
          ])
            expect(findAll(domainName, text), text).toEqual([]);
        },
      ),
      { numRuns: 100 },
    );
  });
});
