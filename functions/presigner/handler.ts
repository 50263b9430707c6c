import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { presignerDependenciesFromEnv } from './dependencies.ts';
import { handlePresignRequest, type PresignFunctionUrlEvent } from './handle-presign-request.ts';

// Cold start: environment and policy validated, signing key read, once per instance.
const deps = await presignerDependenciesFromEnv(process.env);

/**
 * The presigner behind a Lambda function URL with `AWS_IAM` auth: `POST { bucket, key, expiresSeconds }`
 * returns `{ url, expiresAt }`, a GET URL for the proxy signed with a key that can do nothing else.
 */
export const handler = middy(function presignObjectUrl(event: PresignFunctionUrlEvent) {
  return handlePresignRequest(event, deps);
}).use(injectLambdaContext(deps.logger));
