import { NotImplementedError } from '../core/errors.ts';
import { errorReason } from '../core/s3-error-map.ts';
import { FunctionUrlCapError } from './function-url-cap-error.ts';
import type { GatewayResponse } from './gateway.ts';
import { errorXml } from './s3-xml.ts';

/**
 * Most body bytes a function URL streams. Lambda caps a streamed response at 200 MB, the HTTP
 * prelude (status and headers) included
 * (https://docs.aws.amazon.com/lambda/latest/dg/config-rs-invoke-furls.html); 200 MB is read as
 * 10^8 × 2 bytes (the smaller reading) and 64 KiB are left for the prelude.
 */
export const FUNCTION_URL_MAX_BODY_BYTES = 200_000_000 - 64 * 1024;

/** Why a function URL response was refused or cut off: one structured log line per case. */
export interface CapEvent {
  readonly requestId: string | undefined;
  readonly reason: 'refused-known-size' | 'aborted-at-cap';
  readonly bodyBytes: number;
  readonly maxBodyBytes: number;
}

/**
 * Keeps a function URL response within what Lambda streams, so no client ever receives an object
 * cut off at 200 MB as if it were whole:
 * - a body whose length is known (`Content-Length`: a range, or a size a view store gave) and
 *   over the cap is not started: the answer is 501 NotImplemented saying to read it through the
 *   container endpoint or in ranges, and the body is released;
 * - a body of unknown length (a full GET redacted as it streams) is passed through until the cap
 *   would be passed, then it throws, which aborts the transfer; the reason is reported first.
 *
 * Every refusal or abort is reported through `report`, with the request id. `resource` is the
 * request path, for the error document.
 */
export async function capForFunctionUrl(
  response: GatewayResponse,
  options: { resource: string; report: (event: CapEvent) => void; maxBodyBytes?: number },
): Promise<GatewayResponse> {
  const { resource, report, maxBodyBytes = FUNCTION_URL_MAX_BODY_BYTES } = options;
  const { body } = response;
  if (body instanceof Uint8Array) return response;
  const requestId = response.headers['x-amz-request-id'];
  const declared = response.headers['content-length'];
  if (declared !== undefined && Number(declared) > maxBodyBytes) {
    await body[Symbol.asyncIterator]().return?.();
    report({ requestId, reason: 'refused-known-size', bodyBytes: Number(declared), maxBodyBytes });
    const reason = errorReason(
      new NotImplementedError(
        `This redacted object is ${declared} bytes; a Lambda function URL streams at most ${maxBodyBytes} bytes. Read it through the container (ECS Fargate) endpoint, or in ranges.`,
      ),
    );
    return {
      status: reason.status,
      headers: {
        'content-type': 'application/xml',
        ...(requestId === undefined ? {} : { 'x-amz-request-id': requestId }),
      },
      body: Buffer.from(errorXml(reason, resource, requestId ?? '')),
    };
  }
  return {
    ...response,
    body: capped(body, maxBodyBytes, (bodyBytes) =>
      report({ requestId, reason: 'aborted-at-cap', bodyBytes, maxBodyBytes }),
    ),
  };
}

async function* capped(
  body: AsyncIterable<Uint8Array>,
  maxBodyBytes: number,
  onCap: (bodyBytes: number) => void,
): AsyncIterable<Uint8Array> {
  let sent = 0;
  for await (const chunk of body) {
    if (sent + chunk.byteLength > maxBodyBytes) {
      onCap(sent + chunk.byteLength);
      throw new FunctionUrlCapError(maxBodyBytes);
    }
    sent += chunk.byteLength;
    yield chunk;
  }
}
