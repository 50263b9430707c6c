import { defineProtectedBucket } from '../lib/protected-bucket-config.ts';

/** A demo bucket created by the stack, served through both front doors, its views warmed on write. */
export default defineProtectedBucket({
  name: 'demo',
  bucket: { source: 'demo' },
  rulesDir: 'redaction-rules',
  allowListing: true,
  frontDoors: { objectLambda: {}, gateway: {} },
  keyHolders: [{ name: 'analytics-partner' }],
  views: { enabled: true },
});
