import { CfnElement, Environment, Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { MlopsNames, namesForSystem } from './config';
import { DataStack } from './data-stack';
import { applyServedBoundary, deploySynthesizer } from './deploy-access';
import { MlPipelineStack } from './ml-pipeline-stack';
import { PortalRolloutAccess } from './portal-access';
import { ReleaseStack } from './release-stack';
import { ServingStack, ServingStackProps } from './serving-stack';
import { loadSystem, ResolvedSystem } from './spec';

export interface MlSystemProps {
  /** The system's spec file (ml-system.yaml, the format the portal reads). */
  specFile: string;
  /** A data file to infer column types from, when the spec leaves them out (header: true). */
  dataFile?: string;
  /** The shared platform stack (buckets, keys, deploy access) of this account/region. */
  platform: DataStack;
  /** Resource names; each defaults to one derived from the spec's metadata.name. */
  names?: Partial<MlopsNames>;
  /** Prefix of the system's stack names (default: metadata.name in PascalCase). */
  stackPrefix?: string;
  env?: Environment;
  /** E-mail subscribed to release approval requests. */
  approvalEmail?: string;
  /** Serving settings: CORS origin, instance type, capacity, throttling, capture sampling. */
  serving?: Omit<ServingStackProps, 'system' | 'names' | 'env'>;
  /**
   * Stacks the Deploy stage deploys together with the serving stack (they
   * read its outputs, e.g. a consumer site); create them with deploySynthesizer().
   */
  deployWith?: string[];
}

const pascalCase = (name: string) =>
  name
    .split('-')
    .map(w => w[0].toUpperCase() + w.slice(1))
    .join('');

/**
 * One ML system on AWS, from its spec file: its data prefix and manifest
 * trigger (in the platform stack), and three stacks of its own —
 * `<prefix>Pipeline` (SageMaker pipeline, model package group, step code and
 * system.json), `<prefix>Release` (CodePipeline: Source → CI → MLPipeline →
 * Approval → Deploy) and `<prefix>Serving` (endpoint with autoscaling, data
 * capture and Model Monitor, REST API), deployed by the release pipeline with
 * the approved model package through the scoped deploy bootstrap.
 *
 *   new MlSystem(app, 'Churn', { specFile: 'churn/ml-system.yaml', platform });
 */
export class MlSystem extends Construct {
  readonly system: ResolvedSystem;
  readonly names: MlopsNames;
  readonly pipelineStack: MlPipelineStack;
  readonly releaseStack: ReleaseStack;
  readonly servingStack: ServingStack;
  readonly portalRolloutAccess: PortalRolloutAccess;

  constructor(scope: Construct, id: string, props: MlSystemProps) {
    super(scope, id);
    this.system = loadSystem(props.specFile, props.dataFile);
    const system = this.system;
    this.names = { ...namesForSystem(system.name), ...props.names };
    const names = this.names;
    const prefix = props.stackPrefix ?? pascalCase(system.name);
    const env = props.env;
    const { platform } = props;

    // The stacks are siblings of this construct so their names are plain (cdk deploy <prefix>Serving).
    this.pipelineStack = new MlPipelineStack(scope, `${prefix}Pipeline`, {
      env,
      system,
      names,
      dataKey: platform.dataKey,
    });
    this.pipelineStack.addStackDependency(platform);
    platform.addSystem(system.name);

    this.servingStack = new ServingStack(scope, `${prefix}Serving`, {
      ...props.serving,
      env,
      system,
      names,
      synthesizer: deploySynthesizer(),
    });
    applyServedBoundary(this.servingStack);
    // Serving reads model artifacts the pipeline wrote to the platform's bucket (by name).
    this.servingStack.addStackDependency(this.pipelineStack);

    // The portal's rollout and shadow-test permissions (person-deployed, with the pipeline).
    this.portalRolloutAccess = new PortalRolloutAccess(
      this.pipelineStack,
      'PortalRolloutAccess',
      {
        systemName: system.name,
        endpointName: names.endpointName,
        servingStackName: this.servingStack.stackName,
        modelRoleLogicalId: this.servingStack.getLogicalId(
          this.servingStack.modelRole.node.defaultChild as CfnElement,
        ),
      },
    );

    const deployWith = props.deployWith ?? [];
    platform.deployAccess.allowServing({
      stackNames: [this.servingStack.stackName, ...deployWith],
      endpointName: names.endpointName,
    });

    this.releaseStack = new ReleaseStack(scope, `${prefix}Release`, {
      env,
      systemName: system.name,
      title: system.title,
      names,
      servingStackName: this.servingStack.stackName,
      extraDeployStacks: deployWith,
      approvalEmail: props.approvalEmail,
    });
    this.releaseStack.addStackDependency(this.pipelineStack);
  }

  /** The system's stacks, e.g. for tags or aspects. */
  get stacks(): Stack[] {
    return [this.pipelineStack, this.releaseStack, this.servingStack];
  }
}
