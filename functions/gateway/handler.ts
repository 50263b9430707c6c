import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { gatewayDependenciesFromEnv } from './dependencies.ts';
import { handleGatewayRequest } from './gateway.ts';
import { trustedClient } from './trusted-client-ip.ts';

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

/**
 * The S3-compatible gateway behind a Lambda function URL with response streaming. An error
 * while streaming rejects the invocation, which aborts the response mid-body.
 */
export const handler = awslambda.streamifyResponse(async function streamGatewayResponse(
  event: FunctionUrlEvent,
  responseStream: Writable,
) {
  const headers = event.headers ?? {};
  const client = trustedClient({ peerIp: event.requestContext.http.sourceIp, headers }, deps.originSecret);
  const response = await handleGatewayRequest(
    {
      method: event.requestContext.http.method,
      rawPath: event.rawPath,
      rawQuery: event.rawQueryString ?? '',
      headers,
      sourceIp: client.ip,
      country: client.country,
    },
    deps,
  );
  const stream = awslambda.HttpResponseStream.from(responseStream, {
    statusCode: response.status,
    headers: { ...response.headers },
  });
  if (response.body instanceof Uint8Array) {
    stream.end(response.body);
    return;
  }
  await pipeline(Readable.from(response.body, { objectMode: false }), stream);
});
