import { z } from 'zod';

const inputS3Url = z.url({
  protocol: /^https?$/,
  error: 'an absolute http(s) URL (the presigned inputS3Url)',
});

const sessionIssuerSchema = z.object({
  type: z.string().optional(),
  principalId: z.string().optional(),
  arn: z.string().optional(),
  accountId: z.string().optional(),
  userName: z.string().optional(),
});

/** CloudTrail's `userIdentity`; IAM users have no `sessionContext`. */
const userIdentitySchema = z.object({
  type: z.string(),
  principalId: z.string().min(1),
  arn: z.string().min(1).optional(),
  accountId: z.string().optional(),
  accessKeyId: z.string().optional(),
  userName: z.string().optional(),
  invokedBy: z.string().optional(),
  sessionContext: z
    .object({
      attributes: z.object({ mfaAuthenticated: z.string(), creationDate: z.string() }).partial().optional(),
      sessionIssuer: sessionIssuerSchema.optional(),
    })
    .optional(),
});

/** The access point's `FunctionPayload`: empty, or JSON naming the protected bucket. */
const accessPointPayload = z
  .string()
  .optional()
  .transform((text, context): unknown => {
    if (text === undefined || text.trim() === '') return {};
    try {
      return JSON.parse(text);
    } catch {
      context.addIssue({ code: 'custom', message: 'JSON such as {"bucket":"name"}, or empty' });
      return z.NEVER;
    }
  })
  .pipe(z.object({ bucket: z.string().min(1).optional() }));

const CONTEXTS = [
  'getObjectContext',
  'headObjectContext',
  'listObjectsContext',
  'listObjectsV2Context',
] as const;

/**
 * The S3 Object Lambda event (shared/reference/aws-object-lambda.md §1): exactly one of the four
 * operation contexts, any protocol version `1.xx`. Unknown fields are dropped, since S3 adds
 * fields in minor versions.
 */
export const objectLambdaEventSchema = z
  .object({
    xAmzRequestId: z.string().min(1),
    getObjectContext: z
      .object({ inputS3Url, outputRoute: z.string().min(1), outputToken: z.string().min(1) })
      .optional(),
    headObjectContext: z.object({ inputS3Url }).optional(),
    listObjectsContext: z.object({ inputS3Url }).optional(),
    listObjectsV2Context: z.object({ inputS3Url }).optional(),
    configuration: z.object({
      accessPointArn: z.string().min(1),
      supportingAccessPointArn: z.string().min(1),
      payload: accessPointPayload,
    }),
    userRequest: z.object({
      // Absolute in AWS's documentation, relative ("/key") in Powertools' sample event.
      url: z.string().min(1),
      headers: z.record(z.string(), z.string()).default({}),
    }),
    userIdentity: userIdentitySchema,
    protocolVersion: z.string().regex(/^1\.\d{2}$/, 'a 1.xx protocol version (1.00 is documented)'),
  })
  .superRefine((event, context) => {
    const present = CONTEXTS.filter((name) => event[name] !== undefined);
    if (present.length !== 1) {
      context.addIssue({
        code: 'custom',
        message: `exactly one of ${CONTEXTS.join(', ')} is required (found: ${present.join(', ') || 'none'})`,
      });
    }
  });

/** A validated Object Lambda event. */
export type ObjectLambdaEvent = z.infer<typeof objectLambdaEventSchema>;

/**
 * Validates an Object Lambda invocation's event.
 *
 * @throws Error listing each invalid field, what was wrong and what is allowed.
 */
export function parseObjectLambdaEvent(event: unknown): ObjectLambdaEvent {
  const parsed = objectLambdaEventSchema.safeParse(event);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map(
    (issue) => `${issue.path.join('.') || '(event)'}: ${issue.message}`,
  );
  throw new Error(`invalid S3 Object Lambda event:\n${problems.join('\n')}`);
}

/** The caller's request URL; relative URLs are resolved against a placeholder origin. */
export function userRequestUrl(event: ObjectLambdaEvent): URL {
  return new URL(event.userRequest.url, 'https://placeholder');
}

/** A header of the caller's request, looked up ignoring case (S3 keeps the case the client used). */
export function userRequestHeader(event: ObjectLambdaEvent, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [header, value] of Object.entries(event.userRequest.headers)) {
    if (header.toLowerCase() === wanted) return value;
  }
  return undefined;
}
