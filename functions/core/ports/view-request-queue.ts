import type { ObjectLocation } from './object-source.ts';

/**
 * Port: asks the view materializer (functions/materializer) to make the views of stored objects,
 * for a front door that cannot read an object's body itself (Object Lambda's HeadObject and
 * ListObjects `inputS3Url`s). The materializer makes the views of the latest version under every
 * rule set that can apply, as for an S3 `ObjectCreated` event. Adapter: an SQS queue
 * (`createSqsViewRequestQueue`).
 */
export interface ViewRequestQueue {
  /**
   * Resolves once every request was accepted.
   *
   * @throws ServiceUnavailableError when a request could not be queued.
   */
  request(objects: readonly Pick<ObjectLocation, 'bucket' | 'key'>[]): Promise<void>;
}
