import { isAbsolute, resolve } from 'node:path';
import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { REPOSITORY_ROOT } from './defaults.ts';
import { acknowledgeNagFindings } from './nag-acknowledgements.ts';
import type { ProtectedBucketConfig } from './protected-bucket-config.ts';
import { ProtectedBucketStack } from './protected-bucket-stack.ts';
import { validateRuleDirectory } from './validate-rule-directory.ts';

/** The app and its stacks, one per protected bucket. */
export interface MaskpointApp {
  readonly app: App;
  readonly stacks: readonly ProtectedBucketStack[];
}

/**
 * Builds the CDK app: every bucket's rule directory is loaded and compiled first (a bad rule
 * stops synth with its file and line), then one stack per bucket, checked by cdk-nag's
 * AwsSolutions pack with the acknowledgements of nag-acknowledgements.ts.
 *
 * @throws RuleValidationError naming the file, line and problem of each invalid rule.
 */
export async function createMaskpointApp(
  configs: readonly ProtectedBucketConfig[],
  appProps: AppProps = {},
): Promise<MaskpointApp> {
  for (const config of configs) {
    await validateRuleDirectory(
      isAbsolute(config.rulesDir) ? config.rulesDir : resolve(REPOSITORY_ROOT, config.rulesDir),
    );
  }
  const app = new App(appProps);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const stacks = configs.map((config) => {
    const stack = new ProtectedBucketStack(app, `Maskpoint-${config.name}`, {
      config,
      env: config.env,
      description: `maskpoint: sensitive-data proxy for the ${config.name} bucket`,
    });
    acknowledgeNagFindings(stack);
    return stack;
  });
  return { app, stacks };
}
