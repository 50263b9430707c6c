import { readdir } from 'node:fs/promises';
import { createMaskpointApp } from '../lib/maskpoint-app.ts';
import type { ProtectedBucketConfig } from '../lib/protected-bucket-config.ts';

// One stack per file in infra/buckets/, each file's default export a defineProtectedBucket(...) result.
const bucketsDir = new URL('../buckets/', import.meta.url);
const files = (await readdir(bucketsDir)).filter((name) => name.endsWith('.ts')).sort();
const configs: ProtectedBucketConfig[] = [];
for (const file of files) {
  const module: { default: ProtectedBucketConfig } = await import(new URL(file, bucketsDir).href);
  configs.push(module.default);
}
const { app } = await createMaskpointApp(configs);
app.synth();
