import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { objectLambdaDependenciesFromEnv } from './dependencies.ts';
import { handleObjectLambdaEvent } from './handle-object-lambda-event.ts';

/** The part of the Lambda context the handler reads. */
interface LambdaContext {
  getRemainingTimeInMillis(): number;
}

// Cold start: environment validated, rules compiled, clients created, once per instance.
const deps = await objectLambdaDependenciesFromEnv(process.env);

/**
 * The S3 Object Lambda access point's function: GetObject is answered through
 * WriteGetObjectResponse, HeadObject and ListObjects(V2) by the return value. Log lines carry
 * the Lambda context (request id, cold start) through Powertools.
 */
export const handler = middy(function answerObjectLambdaEvent(event: unknown, context: LambdaContext) {
  return handleObjectLambdaEvent(event, { remainingTimeMs: context.getRemainingTimeInMillis() }, deps);
}).use(injectLambdaContext(deps.logger));
