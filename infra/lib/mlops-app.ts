import { App, Environment, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { MlopsNames } from './config';
import { DataStack } from './data-stack';
import { applyServedBoundary, deploySynthesizer } from './deploy-access';
import { HostingStack } from './hosting-stack';
import { parseCaptureSampling } from './model-monitor';
import { MlSystem } from './ml-system';

/** One ML system of the app: its spec file and what the app sets for it. */
export interface SystemEntry {
  /** Construct id; also the stack prefix unless `stackPrefix` is given. */
  id: string;
  specFile: string;
  dataFile?: string;
  names?: Partial<MlopsNames>;
  stackPrefix?: string;
  /** Serve the consumer web app (packages/consumer-app) in front of this system's API. */
  consumerSite?: boolean;
}

export interface MlopsAppOptions {
  /** The ML systems to deploy. */
  systems: SystemEntry[];
  /** Account/region; env-agnostic stacks (resolved at deploy) when absent. */
  env?: Environment;
  /** Register cdk-nag's AwsSolutions pack as a validation plugin (default true). */
  nag?: boolean;
  /** CORS origin of the prediction APIs (default '*'). */
  allowOrigin?: string;
  /** Directory of the consumer app build (default: packages/consumer-app/dist or the placeholder). */
  siteDir?: string;
  /** E-mail subscribed to release approval requests. */
  approvalEmail?: string;
  /** Share of requests Data Capture records (0–100). */
  captureSamplingPercent?: number;
}

export interface MlopsStacks {
  platform: DataStack;
  systems: MlSystem[];
  hosting?: HostingStack;
}

/** Builds the platform stack, one MlSystem per entry, and the consumer site. */
export function buildMlopsApp(app: App, options: MlopsAppOptions): MlopsStacks {
  const env = options.env;
  const platform = new DataStack(app, 'MlopsData', { env });
  let hosting: HostingStack | undefined;
  const systems = options.systems.map(entry => {
    const prefix = entry.stackPrefix ?? entry.id;
    const hostingName = `${prefix}Hosting`;
    const system = new MlSystem(app, entry.id, {
      specFile: entry.specFile,
      dataFile: entry.dataFile,
      platform,
      names: entry.names,
      stackPrefix: prefix,
      env,
      approvalEmail: options.approvalEmail,
      serving: {
        allowOrigin: options.allowOrigin,
        captureSamplingPercent: parseCaptureSampling(
          options.captureSamplingPercent,
        ),
      },
      deployWith: entry.consumerSite ? [hostingName] : [],
    });
    if (entry.consumerSite) {
      if (hosting)
        throw new Error(
          `consumerSite: only one system may serve the consumer app (${entry.id})`,
        );
      hosting = new HostingStack(app, hostingName, {
        env,
        apiBaseUrl: system.servingStack.api.url,
        siteDir: options.siteDir,
        title: system.system.title,
        synthesizer: deploySynthesizer(),
      });
      applyServedBoundary(hosting);
    }
    return system;
  });
  if (options.nag ?? true) {
    // cdk-nag 3 is a validation plugin (not an Aspect); errors fail synth.
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  }
  return { platform, systems, hosting };
}
