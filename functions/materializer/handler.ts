import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { materializerDependenciesFromEnv } from './dependencies.ts';
import { handleMaterializerEvent } from './handle-materializer-event.ts';

// Cold start: environment validated, rules compiled, clients created, once per instance.
const deps = await materializerDependenciesFromEnv(process.env);

/**
 * The materializer: S3 event notifications through SQS (views made on ObjectCreated, deleted on
 * ObjectRemoved; partial batch failures) and S3 Batch Operations `LambdaInvoke` tasks (backfills).
 */
export const handler = middy(function materializeViews(event: unknown) {
  return handleMaterializerEvent(event, deps);
}).use(injectLambdaContext(deps.logger));
