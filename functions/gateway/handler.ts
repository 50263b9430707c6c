import type { Writable } from 'node:stream';
import { Logger } from '@aws-lambda-powertools/logger';
import { gatewayDependenciesFromEnv } from './dependencies-from-env.ts';
import { capForFunctionUrl } from './function-url-cap.ts';
import { handleGatewayRequest } from './gateway.ts';
import { DEFAULT_SERVER_LIMITS } from './server-limits.ts';
import { trustedClient } from './trusted-client-ip.ts';
import { writeBody } from './write-body.ts';

/** The parts of a function URL event (payload format 2.0) the gateway reads. */
export interface FunctionUrlEvent {
  readonly rawPath: string;
  readonly rawQueryString?: string;
  /** Lower-case names; repeated headers arrive comma-joined. */
  readonly headers?: Record<string, string | undefined>;
  readonly requestContext: { readonly http: { readonly method: string; readonly sourceIp: string } };
}

// Cold start: rules compiled, clients created, environment validated, once per instance.
const deps = await gatewayDependenciesFromEnv(process.env);
const logger = new Logger({ serviceName: 'maskpoint' });

/**
 * The S3-compatible gateway behind a Lambda function URL with response streaming. An error
 * while streaming rejects the invocation, which aborts the response mid-body; the response
 * stream closing early (the client left) stops the request's work, and a client that reads
 * nothing for `writeStallTimeoutMs` is cut off, as on the local server. A response never passes
 * what a function URL streams (see `capForFunctionUrl`): too large and known, it is refused;
 * unknown, it is aborted at the cap with a logged reason.
 */
export const handler = awslambda.streamifyResponse(async function streamGatewayResponse(
  event: FunctionUrlEvent,
  responseStream: Writable,
) {
  const headers = event.headers ?? {};
  const clientGone = new AbortController();
  responseStream.once('close', () => {
    if (!responseStream.writableFinished) clientGone.abort();
  });
  const client = trustedClient({ peerIp: event.requestContext.http.sourceIp, headers }, deps.originSecret);
  const response = await capForFunctionUrl(
    await handleGatewayRequest(
      {
        method: event.requestContext.http.method,
        rawPath: event.rawPath,
        rawQuery: event.rawQueryString ?? '',
        headers,
        sourceIp: client.ip,
        country: client.country,
        signal: clientGone.signal,
      },
      deps,
    ),
    {
      resource: event.rawPath,
      report: (cap) => logger.warn('response over the function URL limit', { cap }),
    },
  );
  const stream = awslambda.HttpResponseStream.from(responseStream, {
    statusCode: response.status,
    headers: { ...response.headers },
  });
  if (response.body instanceof Uint8Array) {
    stream.end(response.body);
    return;
  }
  await writeBody(response.body, stream, DEFAULT_SERVER_LIMITS.writeStallTimeoutMs);
});
