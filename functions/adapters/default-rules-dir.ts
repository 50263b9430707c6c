import { fileURLToPath } from 'node:url';

/**
 * The project's own rule sets (`redaction-rules/`), used when no directory is given: two folders
 * above this module, as from functions/adapters/ so from the CLI bundle's dist/cli/. A module of
 * its own so that naming the default does not load the rule engine.
 */
export const DEFAULT_RULES_DIR = fileURLToPath(new URL('../../redaction-rules/', import.meta.url));
