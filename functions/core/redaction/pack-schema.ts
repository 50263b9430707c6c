import { z } from 'zod';
import { ruleSchemas } from './rule-schema.ts';
import { validatorNames } from './validators/validator-registry.ts';

/**
 * The schema of `redaction-rules/packs/*.yaml`: a detector pack is data (ids, anchors, bounded
 * patterns, validators, keywords and examples) that rule sets enable by name. It gives the
 * types, the runtime validation and the published `redaction-rules/packs/schema.json`. Built on
 * first use, as the rule file schemas are (`ruleSchemas`).
 */
function buildPackSchemas() {
  const { likelihoodSchema, redactedExampleSchema, survivingExampleSchema } = ruleSchemas();

  const kebabId = z
    .string()
    .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'a kebab-case id such as "gcp-api-key"')
    .max(64);

  const packNameSchema = kebabId.describe('Pack name, such as "secrets" or "pii-uk"');

  const label = z.string().regex(/^[A-Z0-9_]{1,40}$/, 'an upper-case label such as "EMAIL" (A-Z, 0-9, _)');

  const exampleLikelihood = likelihoodSchema
    .optional()
    .describe('The likelihood the pack runs at for this example (see withoutKeyword); default: likely');

  const packExampleSchema = z.union(
    [
      redactedExampleSchema.extend({ likelihood: exampleLikelihood }),
      survivingExampleSchema.extend({ likelihood: exampleLikelihood }),
    ],
    {
      error:
        'an example is either { input, output } or { survives }, each with an optional field and likelihood',
    },
  );

  const examples = z
    .array(packExampleSchema)
    .min(2)
    .describe('At least one { input, output } and one { survives }; checked by `maskpoint rules test`')
    .refine(
      (list) => list.some((example) => 'output' in example) && list.some((example) => 'survives' in example),
      { message: 'a pack detector needs at least one { input, output } and one { survives } example' },
    );

  const patternDetectorSchema = z
    .object({
      id: kebabId.describe('Stable id; appears in logs and counts'),
      label: label.describe('Label of the redact action: [LABEL]'),
      description: z.string().min(1).describe('What it finds'),
      anchors: z
        .array(z.string().min(2).max(64))
        .default([])
        .describe(
          'Literals every match starts with (checked against the pattern); the pattern then runs only where one occurs. Without anchors the pattern scans the text itself',
        ),
      pattern: z
        .string()
        .min(1)
        .describe(
          'ECMAScript regex with bounded repeats and bounded backtracking; a group named "value" marks what is redacted (else the whole match)',
        ),
      flags: z
        .string()
        .regex(/^[imsu]*$/, 'a subset of the flags "imsu"')
        .default('')
        .describe('Regex flags for pattern'),
      maxLength: z
        .number()
        .int()
        .min(1)
        .max(32768)
        .describe('Longest value it redacts; the pattern must not be able to produce a longer one'),
      validator: z.enum(validatorNames).optional().describe('Check a value must pass'),
      minEntropy: z
        .number()
        .min(0)
        .max(8)
        .optional()
        .describe('Least Shannon entropy of a value, in bits per character (random keys ≈ 4–6, words ≈ 2–3)'),
      keywords: z
        .array(z.string().min(2))
        .default([])
        .describe(
          'Words one of which must appear within keywordWindow characters before a value (case-insensitive); a field name holding one counts',
        ),
      keywordWindow: z
        .number()
        .int()
        .min(1)
        .max(2048)
        .default(48)
        .describe('Characters searched for keywords'),
      keywordPlacement: z
        .enum(['before', 'around'])
        .default('before')
        .describe(
          'around: a keyword may also follow the value within keywordWindow (anchored detectors only)',
        ),
      keywordScope: z
        .enum(['text', 'yaml-document', 'field-name'])
        .default('text')
        .describe(
          'yaml-document: a keyword counts only in the YAML document of the value, not across a --- or ... line (anchored detectors only). field-name: a keyword counts only as the whole name of the field a value is under (a JSON key, a CSV header; any case, separators aside), never in text nor as a word of a longer name, for a word as often something else there (pass: proxy_pass, tests pass); detectors without anchors only',
        ),
      keywordEdges: z
        .enum(['none', 'start', 'end', 'both'])
        .default('none')
        .describe(
          'Which ends of a keyword must be the ends of a word: end keeps kind: Secret from counting in kind: SecretStore, start keeps aba from counting in database (a keyword that starts or ends with a letter or digit then has none beside it there)',
        ),
      withoutKeyword: z
        .enum(['possible', 'unlikely'])
        .optional()
        .describe(
          'The least likelihood at which a value standing alone needs no keyword. possible: only on a detector with keywords and a check-digit validator; unlikely: on a detector with keywords and a validator of an issuer rule, or a bareValue pattern',
        ),
      withoutCheck: z
        .literal('unlikely')
        .optional()
        .describe(
          "unlikely: at likelihood unlikely a value need not pass its validator's check (a check digit or letter, a holder type), only what the validator asks besides (a birth date, a layout); only with a validator that has such a form",
        ),
      bareValue: z
        .string()
        .min(1)
        .optional()
        .describe(
          'ECMAScript regex (flags of pattern) the whole of a value taken without its keyword must also match: a stricter shape for a detector whose pattern alone is too broad to stand alone; only with withoutKeyword',
        ),
      examples,
    })
    .strict()
    .describe('A detector described by a pattern');

  const blockDetectorSchema = z
    .object({
      id: kebabId.describe('Stable id; appears in logs and counts'),
      label: label.describe('Label of the redact action: [LABEL]'),
      description: z.string().min(1).describe('What it finds'),
      block: z.union(
        [
          z
            .object({
              begin: z.string().min(4).describe('Marker the block starts with (its anchor)'),
              end: z.string().min(4).describe('Marker the block ends with'),
              throughEndOfLine: z
                .boolean()
                .default(false)
                .describe('The block goes on to the end of the line of the end marker'),
            })
            .strict()
            .describe('An armored block from a begin marker through an end marker'),
          z
            .object({
              yamlScalarOfKeys: z
                .array(
                  z
                    .string()
                    .regex(/^[a-z0-9]{2,32}$/, 'a key ending in lower case without _ . - such as "password"'),
                )
                .min(1)
                .describe(
                  'Key endings: the block is the value of a YAML key whose name, in lower case and without _ . -, ends with one of these',
                ),
            })
            .strict()
            .describe(
              'A YAML block scalar (| or >, with any indentation and chomping indicators and a comment) under a key; each of its lines is redacted on its own, keeping its indentation',
            ),
        ],
        { error: 'a block has begin and end markers, or yamlScalarOfKeys' },
      ),
      maxLength: z
        .number()
        .int()
        .min(1)
        .max(65536)
        .describe(
          'Longest block; a block without its end marker within it ends after its armor lines, a YAML block scalar at this bound',
        ),
      examples,
    })
    .strict()
    .describe(
      'A multi-line block such as an armored private key or a YAML block scalar; its line breaks are kept when redacted',
    );

  const builtInReferenceSchema = z
    .object({
      id: kebabId.describe('Id of a built-in detector'),
      builtIn: z.literal(true).describe('This entry is the built-in detector of that id'),
      description: z.string().min(1).describe('What it finds'),
      examples,
    })
    .strict()
    .describe('A built-in detector listed in this pack');

  const packDetectorSchema = z.union([patternDetectorSchema, blockDetectorSchema, builtInReferenceSchema], {
    error: 'a pack detector has a pattern, a block, or builtIn: true and the id of a built-in detector',
  });

  const detectorPackSchema = z
    .object({
      $schema: z.string().optional(),
      pack: packNameSchema,
      description: z.string().min(1).describe('What the pack finds and when to enable it'),
      sources: z
        .array(z.string().min(1))
        .default([])
        .describe('Data sources the detectors were adapted from, with their licences'),
      detectors: z.array(packDetectorSchema).min(1),
    })
    .strict();

  return {
    packDetectorSchema,
    patternDetectorSchema,
    blockDetectorSchema,
    builtInReferenceSchema,
    detectorPackSchema,
  };
}

let builtSchemas: ReturnType<typeof buildPackSchemas> | undefined;
type Built = ReturnType<typeof buildPackSchemas>;

export const detectorPackSchema = z.lazy(() => {
  builtSchemas ??= buildPackSchemas();
  return builtSchemas.detectorPackSchema;
});
export type PackDetector = z.infer<Built['packDetectorSchema']>;
export type PatternDetector = z.infer<Built['patternDetectorSchema']>;
export type BlockDetector = z.infer<Built['blockDetectorSchema']>;
export type BuiltInReference = z.infer<Built['builtInReferenceSchema']>;
export type DetectorPackDocument = z.input<Built['detectorPackSchema']>;
export type DetectorPack = z.infer<Built['detectorPackSchema']>;
