import { openRedactionStream } from '../../functions/adapters/node-redaction-stream.ts';
import type { CompiledRuleSet } from '../../functions/core/redaction/redactor.ts';

/**
 * `body` stored under `key` (and `contentType`) through the redaction stream in chunks of 7
 * bytes, so values, encodings, folds and boundaries straddle chunk boundaries: what the stream
 * wrote, and the error that opened or stopped it, if one did.
 */
export async function redactInChunks(
  ruleSet: CompiledRuleSet,
  body: Uint8Array,
  key: string,
  contentType?: string,
): Promise<{ output: Buffer; failure: unknown }> {
  const chunks: Uint8Array[] = [];
  let failure: unknown;
  try {
    const stream = await openRedactionStream(
      (async function* () {
        for (let i = 0; i < body.byteLength; i += 7) yield body.subarray(i, i + 7);
      })(),
      { ruleSet, key, contentType },
    );
    for await (const chunk of stream.body) chunks.push(chunk);
  } catch (error) {
    failure = error;
  }
  return { output: Buffer.concat(chunks), failure };
}
