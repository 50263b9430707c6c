#!/usr/bin/env node
// Runs the TypeScript CLI directly (tsx compiles on the fly), so `npx maskpoint` needs no build step.
import { register } from 'tsx/esm/api';

register();
await import('../functions/cli/main.ts');
