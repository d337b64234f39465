import { App, Environment, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { DEFAULT_NAMES, MlopsNames } from './config';
import { DataStack } from './data-stack';
import { MlPipelineStack } from './ml-pipeline-stack';
import { HostingStack } from './hosting-stack';
import { ReleaseStack } from './release-stack';
import { parseCaptureSampling } from './model-monitor';
import { ServingStack } from './serving-stack';

export interface MlopsAppOptions {
  /** Account/region; env-agnostic stacks (resolved at deploy) when absent. */
  env?: Environment;
  names?: Partial<MlopsNames>;
  /** Register cdk-nag's AwsSolutions pack as a validation plugin (default true). */
  nag?: boolean;
  /** CORS origin of the prediction API (default '*'). */
  allowOrigin?: string;
  /** Directory of the consumer app build (default: packages/consumer-app/dist or the placeholder). */
  siteDir?: string;
  /** E-mail subscribed to release approval requests. */
  approvalEmail?: string;
}

export interface MlopsStacks {
  data: DataStack;
  pipeline: MlPipelineStack;
  serving: ServingStack;
  release: ReleaseStack;
  hosting: HostingStack;
}

/** Names may be overridden with context, e.g. `-c pipelineName=my-pipeline`. */
export function namesFromContext(app: App): Partial<MlopsNames> {
  const names: Partial<MlopsNames> = {};
  for (const key of Object.keys(DEFAULT_NAMES) as (keyof MlopsNames)[]) {
    const value = app.node.tryGetContext(key);
    if (typeof value === 'string' && value.trim() !== '')
      names[key] = value.trim();
  }
  return names;
}

/** Builds every stack of the reference system into the app. */
export function buildMlopsApp(
  app: App,
  options: MlopsAppOptions = {},
): MlopsStacks {
  const names: MlopsNames = { ...DEFAULT_NAMES, ...options.names };
  const env = options.env;
  const data = new DataStack(app, 'MlopsData', { env });
  const pipeline = new MlPipelineStack(app, 'MlopsPipeline', {
    env,
    names,
    dataKey: data.dataKey,
  });
  const serving = new ServingStack(app, 'MlopsServing', {
    env,
    names,
    allowOrigin: options.allowOrigin,
    captureSamplingPercent: parseCaptureSampling(
      app.node.tryGetContext('captureSamplingPercent'),
    ),
  });
  // Serving reads model artifacts from the pipeline's bucket (by name).
  serving.addStackDependency(pipeline);
  const hosting = new HostingStack(app, 'MlopsHosting', {
    env,
    apiBaseUrl: serving.api.url,
    siteDir: options.siteDir,
  });
  const release = new ReleaseStack(app, 'MlopsRelease', {
    env,
    names,
    approvalEmail: options.approvalEmail,
  });
  release.addStackDependency(pipeline);
  // Consumers find the data bucket by name, so order the deployment explicitly.
  pipeline.addStackDependency(data);
  if (options.nag ?? true) {
    // cdk-nag 3 is a validation plugin (not an Aspect); errors fail synth.
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  }
  return { data, pipeline, serving, release, hosting };
}
