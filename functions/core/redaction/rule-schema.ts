import { z } from 'zod';
import { normalizeFieldName } from './field-matcher.ts';
import { likelihoods } from './likelihood.ts';
import { validatorNames } from './validators/validator-registry.ts';

/**
 * The one schema for `redaction-rules/*.yaml`: it gives the TypeScript types, the runtime
 * validation and the published `redaction-rules/schema.json`. Built by {@link ruleSchemas} on
 * first use, not when this module loads: building it costs ~15 ms of CPU that a start of `serve`
 * or `redact` whose rule files the CLI bundle's build validated (its `validated-rules.json`)
 * never needs to spend.
 */
function buildRuleSchemas() {
  const ruleId = z
    .string()
    .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'a kebab-case id such as "us-ssn" or "employee-id"')
    .max(64);

  const label = z.string().regex(/^[A-Z0-9_]{1,40}$/, 'an upper-case label such as "EMAIL" (A-Z, 0-9, _)');

  const redactActionSchema = z
    .object({
      type: z.literal('redact'),
      label: label.optional().describe('Replacement label; default: the detector or field label'),
    })
    .strict()
    .describe('Replace the value with a typed label such as [EMAIL]');

  const maskActionSchema = z
    .object({
      type: z.literal('mask'),
      char: z.string().length(1).default('*').describe('Masking character'),
      keepFirst: z.number().int().min(0).max(64).default(0).describe('Leading characters kept'),
      keepLast: z.number().int().min(0).max(64).default(4).describe('Trailing characters kept'),
      keepSeparators: z
        .boolean()
        .default(true)
        .describe('Keep characters that are not letters or digits (dashes, spaces, @, dots)'),
    })
    .strict()
    .describe('Mask letters and digits, keeping the first/last N');

  const hashActionSchema = z
    .object({
      type: z.literal('hash'),
      bytes: z.number().int().min(4).max(32).default(8).describe('Bytes of HMAC-SHA256 kept (hex output)'),
    })
    .strict()
    .describe('Keyed HMAC-SHA256, truncated, one way');

  const tokenizeActionSchema = z
    .object({
      type: z.literal('tokenize'),
      mode: z
        .enum(['siv', 'ff1'])
        .default('siv')
        .describe('siv: AES-SIV (RFC 5297) token "tok:KEYID:..."; ff1: NIST SP 800-38G FF1 on the digits'),
    })
    .strict()
    .describe('Deterministic, reversible with the key');

  const dropActionSchema = z
    .object({ type: z.literal('drop') })
    .strict()
    .describe('Remove the value (JSON key, CSV cell content, matched text)');

  const keepActionSchema = z
    .object({ type: z.literal('keep') })
    .strict()
    .describe('Leave the value unchanged (counted)');

  const actionSchema = z
    .discriminatedUnion('type', [
      redactActionSchema,
      maskActionSchema,
      hashActionSchema,
      tokenizeActionSchema,
      dropActionSchema,
      keepActionSchema,
    ])
    .describe('What happens to a matched value; default: redact');

  const exampleField = z
    .string()
    .min(1)
    .optional()
    .describe(
      'The text is the value of a JSON key or CSV column of this name, redacted by the whole rule set: the first field rule naming it, else the detectors with the name as context',
    );

  const redactedExampleSchema = z
    .object({
      field: exampleField,
      input: z.string().describe('Text given to the rule'),
      output: z.string().describe('Expected text after redaction'),
    })
    .strict();

  const survivingExampleSchema = z
    .object({
      field: exampleField,
      survives: z.string().describe('Text that must pass through unchanged'),
    })
    .strict();

  const exampleSchema = z.union([redactedExampleSchema, survivingExampleSchema], {
    error: 'an example is either { input, output } or { survives }, each with an optional field',
  });

  const validatorSchema = z.enum([...validatorNames, 'none']);

  const detectorRuleSchema = z
    .object({
      id: ruleId.describe('Built-in detector id, or the id of a custom detector'),
      enabled: z.boolean().default(true).describe('false removes a detector inherited through extends'),
      pattern: z
        .string()
        .min(1)
        .optional()
        .describe('Custom detectors only: an ECMAScript regex with a finite maximum match length'),
      flags: z
        .string()
        .regex(/^[imsu]*$/, 'a subset of the flags "imsu"')
        .optional()
        .describe('Regex flags for pattern'),
      label: label.optional().describe('Label for the redact action; default: the id in upper case'),
      context: z
        .array(z.string().min(1))
        .optional()
        .describe('Keywords, one of which must appear shortly before a match (case-insensitive)'),
      contextWindow: z.number().int().min(1).max(256).default(48).describe('Characters searched for context'),
      validator: validatorSchema
        .optional()
        .describe('Checksum a match must pass (see the README for what each checks)'),
      action: actionSchema.default({ type: 'redact' }),
      examples: z.array(exampleSchema).optional().describe('Checked by `maskpoint rules test`'),
    })
    .strict()
    .describe('A built-in detector (by id) or a custom one (with pattern)');

  const fieldWord = z
    .string()
    .regex(
      /^(?:\*?[a-z0-9]+\*?|[^*]*[A-Za-z0-9][^*]*)$/,
      'words such as "password", "api key" or "SessionToken", or one lower-case word with * at either end such as "*password*"',
    );

  const likelihoodSchema = z.enum(likelihoods);

  const packUseSchema = z.union(
    [
      ruleId.describe(
        'Name of a pack in redaction-rules/packs/: all its detectors, redacted with their labels',
      ),
      z
        .object({
          pack: ruleId.describe('Name of a pack in redaction-rules/packs/'),
          enabled: z.boolean().default(true).describe('false removes a pack inherited through extends'),
          action: actionSchema
            .optional()
            .describe("Action of every detector of the pack; default: redact with the detector's label"),
          except: z.array(ruleId).default([]).describe('Ids of the pack detectors left out'),
          // Optional rather than defaulted: a rule set that does not write it keeps its version hash.
          likelihood: likelihoodSchema
            .optional()
            .describe(
              "likely (default): a detector with keywords redacts only near one; possible: also a value without its keyword on the pack's detectors marked withoutKeyword: possible (a check digit passes); unlikely: also values of the shape alone, on the detectors marked withoutKeyword: unlikely or withoutCheck: unlikely",
            ),
        })
        .strict(),
    ],
    { error: 'a pack is its name, or { pack, action, except, enabled, likelihood }' },
  );

  const fieldRuleSchema = z
    .object({
      id: ruleId,
      enabled: z.boolean().default(true).describe('false removes a field rule inherited through extends'),
      names: z
        .array(z.string().min(1))
        .default([])
        .describe('Key names or CSV headers at any depth; compared ignoring case, spaces, _ and -'),
      paths: z
        .array(z.string().min(1))
        .default([])
        .describe('JSON paths from the root, dot separated; * is one segment, ** any number'),
      words: z
        .array(fieldWord)
        .default([])
        .describe(
          'Words in a row anywhere in a key name or CSV header, in any case convention ("api key" matches db_api_key, ApiKeyValue, apikey); * at either end of a one-word entry lets that word go on ("*password*" matches dbpassword)',
        ),
      exceptLastWords: z
        .array(z.string().regex(/^[a-z0-9]+$/, 'one lower-case word such as "id"'))
        .default([])
        .describe(
          'A name whose last word is one of these, after the words matched, describes a value instead of holding it (password_enabled, token_count): words do not match it',
        ),
      label: label.optional().describe('Label for the redact action; default: the id in upper case'),
      action: actionSchema.default({ type: 'redact' }),
      inText: z
        .boolean()
        .default(true)
        .describe(
          'Also take the values assigned to these names in text objects (key: value in YAML, key=value in logfmt, ini, .env, properties); false leaves such values to the detectors',
        ),
      examples: z
        .array(exampleSchema)
        .optional()
        .describe('Checked by `maskpoint rules test` on a value of this field'),
    })
    .strict()
    .describe(
      'Values of JSON keys or CSV columns by name or path, and in text the values assigned to keys (key: value, key=value); a sensitive key taints its whole subtree',
    )
    .refine((rule) => rule.names.length + rule.paths.length + rule.words.length > 0 || !rule.enabled, {
      message: 'a field rule needs at least one of names, paths or words',
    });

  const country = z.string().regex(/^[A-Z]{2}$/, 'an ISO 3166-1 alpha-2 country code such as "US"');

  const geoSchema = z
    .object({
      allow: z.array(country).optional().describe('Only callers located in these countries'),
      deny: z.array(country).optional().describe('No callers located in these countries'),
    })
    .strict()
    .describe('Country fence, enforced by the front doors; a caller whose country is unknown is denied')
    .refine((geo) => !(geo.allow && geo.deny), { message: 'geo takes allow or deny, not both' });

  const rateLimitSchema = z
    .object({
      requestsPerWindow: z.number().int().positive().describe('Requests per caller per window'),
      windowSeconds: z.number().int().positive().default(60).describe('Length of the window'),
      bytesPerDay: z.number().int().positive().optional().describe('Bytes served per caller per day'),
    })
    .strict()
    .describe('Per-caller limits, enforced by the front doors (503 SlowDown when exceeded)');

  const limitsSchema = z
    .object({
      maxRecordBytes: z
        .number()
        .int()
        .min(1024)
        .default(1024 * 1024)
        .describe('Longest CSV record, NDJSON line, JSON string/number, or mail line or header block'),
      maxDecompressionRatio: z.number().positive().default(100).describe('gzip: output bytes per input byte'),
      maxDecompressedBytes: z
        .number()
        .int()
        .positive()
        .default(16 * 1024 ** 3)
        .describe('gzip: largest decompressed object'),
    })
    .strict();

  /** Whether the CSV objects of a rule set's scope start with a header row. */
  const csvHeaderSchema = z
    .enum(['detect', 'absent', 'present'])
    .describe(
      'detect: the first row is the header unless it reads as data (numbers, emails, detector hits); absent: every row is data; present: the first row is always the header',
    );

  // Checked by `refine`, not `regex`: a JSON Schema pattern has no Unicode classes for editors.
  const csvColumnName = z
    .string()
    .min(1, { error: 'expected a column name with a letter or digit, such as "email"', abort: true })
    .max(256)
    .refine(
      (name) => /[\p{L}\p{N}]/u.test(name),
      'expected a column name with a letter or digit, such as "email"',
    );

  const csvSchema = z
    .object({
      columns: z
        .array(csvColumnName)
        .min(1)
        .optional()
        .superRefine((columns, context) => {
          const first = new Map<string, number>();
          columns?.forEach((name, index) => {
            // Names of other scripts fold to nothing: those compare as written.
            const folded = normalizeFieldName(name) || name;
            const earlier = first.get(folded);
            if (earlier === undefined) first.set(folded, index);
            else
              context.addIssue({
                code: 'custom',
                path: [index],
                message: `the same name as columns[${earlier}] (names compare ignoring case, spaces, _ and -); each column is named once`,
              });
          });
        })
        .describe(
          'Column names of the CSV objects without a header row, in order: they bind field rules by position as a header would',
        ),
      header: csvHeaderSchema.default('detect'),
    })
    .strict()
    .describe('The header the CSV objects in scope lack')
    .superRefine((csv, context) => {
      if (csv.header !== 'present' && csv.columns === undefined) {
        context.addIssue({
          code: 'custom',
          path: ['columns'],
          message: `header ${csv.header} needs columns: the names of the columns of the objects without a header row`,
        });
      }
      if (csv.header === 'present' && csv.columns !== undefined) {
        context.addIssue({
          code: 'custom',
          path: ['columns'],
          message:
            "header present reads every object's own header: leave columns out, or say header detect or absent",
        });
      }
    });

  const scopeSchema = z
    .object({
      buckets: z.array(z.string().min(1)).default(['*']).describe('Bucket name globs'),
      keys: z
        .array(z.string().min(1))
        .default(['**'])
        .describe('Key globs (* within a path segment, ** across) or prefixes ending in /'),
      callers: z
        .array(z.string().min(1))
        .default(['*'])
        .describe('IAM principal ARN globs or gateway key names'),
    })
    .strict();

  const ruleSetSchema = z
    .object({
      $schema: z.string().optional(),
      name: ruleId.describe('Rule set name, unique across redaction-rules/'),
      description: z.string().optional(),
      extends: ruleId.optional().describe('Name of a rule set this one builds on'),
      priority: z.number().int().default(0).describe('Among rule sets whose scope matches, the highest wins'),
      scope: scopeSchema
        .default({ buckets: ['*'], keys: ['**'], callers: ['*'] })
        .describe('Requests this rule set applies to: bucket, key and caller must each match one pattern'),
      detectors: z
        .array(detectorRuleSchema)
        .default([])
        .describe('Detectors run over text, CSV cells and JSON string values'),
      packs: z
        .array(packUseSchema)
        .default([])
        .describe(
          'Detector packs whose detectors run after those listed under detectors; a detectors entry with the id of a pack detector changes its action or label',
        ),
      fields: z.array(fieldRuleSchema).default([]).describe('Rules for named fields and columns'),
      passthrough: z
        .object({
          prefixes: z
            .array(z.string().min(1))
            .min(1)
            .describe('Key prefixes whose objects in unsupported formats are served unredacted (logged)'),
        })
        .strict()
        .optional()
        .describe('Unsupported formats are denied unless a prefix is listed here'),
      csv: csvSchema.optional(),
      geo: geoSchema.optional(),
      rateLimit: rateLimitSchema.optional(),
      limits: limitsSchema.default({
        maxRecordBytes: 1024 * 1024,
        maxDecompressionRatio: 100,
        maxDecompressedBytes: 16 * 1024 ** 3,
      }),
    })
    .strict();

  return {
    actionSchema,
    exampleSchema,
    redactedExampleSchema,
    survivingExampleSchema,
    detectorRuleSchema,
    likelihoodSchema,
    packUseSchema,
    fieldRuleSchema,
    limitsSchema,
    csvSchema,
    ruleSetSchema,
  };
}

let builtSchemas: ReturnType<typeof buildRuleSchemas> | undefined;

/** The rule file schemas, built on the first call; the pack schema is composed of some of them. */
export function ruleSchemas(): ReturnType<typeof buildRuleSchemas> {
  builtSchemas ??= buildRuleSchemas();
  return builtSchemas;
}

type Built = ReturnType<typeof ruleSchemas>;

export const actionSchema = z.lazy(() => ruleSchemas().actionSchema);
export type Action = z.infer<Built['actionSchema']>;
export type RuleExample = z.infer<Built['exampleSchema']>;
export const detectorRuleSchema = z.lazy(() => ruleSchemas().detectorRuleSchema);
export type DetectorRule = z.infer<Built['detectorRuleSchema']>;
export type PackUse = z.infer<Built['packUseSchema']>;
export const fieldRuleSchema = z.lazy(() => ruleSchemas().fieldRuleSchema);
export type FieldRule = z.infer<Built['fieldRuleSchema']>;
export const limitsSchema = z.lazy(() => ruleSchemas().limitsSchema);
export type Limits = z.infer<Built['limitsSchema']>;
export const csvSchema = z.lazy(() => ruleSchemas().csvSchema);
export type CsvLayout = z.infer<Built['csvSchema']>;
export const ruleSetSchema = z.lazy(() => ruleSchemas().ruleSetSchema);
export type RuleSetDocument = z.input<Built['ruleSetSchema']>;
export type RuleSet = z.infer<Built['ruleSetSchema']>;
