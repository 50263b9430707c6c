import { MaskpointError } from '../core/errors.ts';
import { UsageError } from './usage-error.ts';

const USAGE = `maskpoint — sensitive-data proxy for Amazon S3

Usage:
  maskpoint serve [--port P] [--host H] [--bucket NAME=DIR ...] [--allow-dot-files NAME ...] [--s3-bucket NAME ...] [--rules DIR] [--region R]
                  [--headers-timeout S] [--request-timeout S] [--keep-alive-timeout S]
                  [--write-stall-timeout S] [--max-connections N]   client limits (defaults 10, 30, 5, 30 s, 1024)
                  [--allow-list-buckets]                            answer ListBuckets with the caller's buckets
                  [--workers N] [--drain-seconds S] [--rate-limit-store memory|dynamodb:TABLE|redis:URL]
                  [--trusted-proxy none|alb] [--geo-db FILE]   production: N processes (default: one per core), SIGTERM drains
  maskpoint redact [--rules DIR] [--ruleset NAME] [--content-type TYPE] [--threads N|auto] FILE|-
  maskpoint preview [--rules DIR] [--ruleset NAME] [--content-type TYPE] FILE
  maskpoint rules validate [--rules DIR]
  maskpoint rules test [--rules DIR]
  maskpoint token-keys list|rotate                   local token keys; rotate keeps old keys
  maskpoint detokenize [FILE|-]                      reverses tok:KEYID:… tokens in text
  maskpoint detokenize --ff1 --key-id ID VALUE       reverses a format-preserving token
  maskpoint keys create --name NAME --bucket BUCKET [--bucket B2] [--json] [--secret-id ARN]
  maskpoint keys list [--json] [--secret-id ARN]
  maskpoint keys revoke NAME [--secret-id ARN]
  maskpoint audit (--authorization-details FILE --credential-report FILE [--cloudtrail DIR|FILE ...] | --live [--region R])
                  [--sensitive-bucket NAME ...] [--json | --markdown]   high-impact AWS access keys and what they need
  maskpoint presign s3://BUCKET/KEY --key-name NAME [--expires 1h] [--endpoint http://127.0.0.1:9000] [--region us-east-1]
  maskpoint views warm [s3://BUCKET/PREFIX] [--bucket NAME=DIR ...] [--views DIR | --views-s3 s3://CACHE/PREFIX]
                       [--views-max 10GiB] [--concurrency 8] [--rules DIR] [--json]
  maskpoint views backfill --bucket B (--manifest s3://…/manifest.csv [--manifest-fields Bucket,Key] | --inventory s3://…/manifest.json)
                       --function-arn ARN --role-arn ARN --report s3://BUCKET/PREFIX [--report-scope failed|all]
                       [--priority 10] [--account-id ID] [--region R] [--dry-run]

Token keys and gateway keys live in $MASKPOINT_HOME (default ./.maskpoint); deployed gateway keys
in the secret named by --secret-id or MASKPOINT_GATEWAY_KEYS_SECRET_ARN.`;

type Command = (args: string[]) => Promise<number>;

/**
 * Each command's module is imported only when it runs, so `--help` or `redact` does not load the
 * AWS SDK, maxmind or ioredis that other commands need (the bundle splits one chunk per command).
 */
const COMMANDS: Record<string, () => Promise<Command>> = {
  redact: async () => (await import('./redact-command.ts')).redactCommand,
  preview: async () => (await import('./preview-command.ts')).previewCommand,
  rules: async () => (await import('./rules-command.ts')).rulesCommand,
  detokenize: async () => (await import('./detokenize-command.ts')).detokenizeCommand,
  keys: async () => (await import('./keys-command.ts')).keysCommand,
  serve: async () => (await import('./serve-command.ts')).serveCommand,
  presign: async () => (await import('./presign-command.ts')).presignCommand,
  'token-keys': async () => (await import('./token-keys-command.ts')).tokenKeysCommand,
  views: async () => (await import('./views-command.ts')).viewsCommand,
  audit: async () => {
    const { auditCommand } = await import('./audit-command.ts');
    return (args) => auditCommand(args);
  },
};

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  const load = name === undefined || !Object.hasOwn(COMMANDS, name) ? undefined : COMMANDS[name];
  if (load === undefined) {
    process.stderr.write(`${USAGE}\n`);
    return name === undefined || name === '--help' || name === '-h' ? 0 : 2;
  }
  return (await load())(args);
}

// recheck's checkSync (the linear-time check of custom patterns) runs by default in a synckit
// worker thread that starts a second copy of recheck and its native binary: ~0.6 s and ~37 MiB
// per process, for serve in the primary and each worker. The `pure` backend runs the same
// checker (Scala.js) on this thread, same verdicts, ~70 ms. recheck reads this variable at each
// call (its env.ts RECHECK_SYNC_BACKEND: auto | synckit | pure); an operator's choice is kept.
process.env.RECHECK_SYNC_BACKEND ??= 'pure';

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  if (error instanceof UsageError) process.stderr.write(`${USAGE}\n\n`);
  // Domain errors carry safe messages; anything else is reported by type only, never by content.
  const message = isSafeToShow(error)
    ? error.message
    : `unexpected ${error instanceof Error ? error.name : 'error'}`;
  process.stderr.write(`maskpoint: ${message.replaceAll('\n', '\n  ')}\n`);
  process.exitCode = error instanceof UsageError ? 2 : 1;
}

/** Domain errors, file-system errors and argument errors name paths and options, never content. */
function isSafeToShow(error: unknown): error is Error {
  if (error instanceof MaskpointError) return true;
  if (!(error instanceof Error) || !('code' in error) || typeof error.code !== 'string') return false;
  return 'syscall' in error || error.code.startsWith('ERR_PARSE_ARGS');
}
