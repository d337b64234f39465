import { CfnMapping, Fn, Stack, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';

/**
 * AWS accounts that host SageMaker's first-party framework images
 * (sagemaker-xgboost and sagemaker-scikit-learn share one account per region),
 * as published in the SageMaker Python SDK's image_uri_config. A table in
 * code keeps synth offline and lets env-agnostic stacks resolve the image
 * at deploy time through a CloudFormation mapping.
 */
export const SAGEMAKER_IMAGE_ACCOUNTS: Record<string, string> = {
  'af-south-1': '510948584623',
  'ap-east-1': '651117190479',
  'ap-northeast-1': '354813040037',
  'ap-northeast-2': '366743142698',
  'ap-northeast-3': '867004704886',
  'ap-south-1': '720646828776',
  'ap-southeast-1': '121021644041',
  'ap-southeast-2': '783357654285',
  'ap-southeast-3': '951798379941',
  'ca-central-1': '341280168497',
  'eu-central-1': '492215442770',
  'eu-north-1': '662702820516',
  'eu-south-1': '978288397137',
  'eu-west-1': '141502667606',
  'eu-west-2': '764974769150',
  'eu-west-3': '659782779980',
  'me-south-1': '801668240914',
  'sa-east-1': '737474898029',
  'us-east-1': '683313688378',
  'us-east-2': '257758044811',
  'us-west-1': '746614075791',
  'us-west-2': '246618743249',
};

export const XGBOOST_REPOSITORY = 'sagemaker-xgboost';
export const XGBOOST_TAG = '1.7-1';
export const SKLEARN_REPOSITORY = 'sagemaker-scikit-learn';
export const SKLEARN_TAG = '1.2-1-cpu-py3';

/** Image URI for a known region; throws naming the region when it has no entry. */
export function imageUri(
  region: string,
  repository: string,
  tag: string,
): string {
  const account = SAGEMAKER_IMAGE_ACCOUNTS[region];
  if (!account) {
    throw new Error(
      `no SageMaker image account for region "${region}"; known regions: ${Object.keys(
        SAGEMAKER_IMAGE_ACCOUNTS,
      ).join(', ')}`,
    );
  }
  return `${account}.dkr.ecr.${region}.amazonaws.com/${repository}:${tag}`;
}

/** Resolves the framework images in a stack, for a concrete or a deploy-time region. */
export class SageMakerImages extends Construct {
  readonly account: string;
  readonly xgboostImage: string;
  readonly sklearnImage: string;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const stack = Stack.of(this);
    const mapping = new CfnMapping(this, 'Accounts', {
      mapping: Object.fromEntries(
        Object.entries(SAGEMAKER_IMAGE_ACCOUNTS).map(([r, a]) => [
          r,
          { account: a },
        ]),
      ),
      // Lazy: with a concrete region the value is inlined and the mapping omitted.
      lazy: true,
    });
    // A concrete region without an entry fails synth with a clear message, not the deploy.
    if (!Token.isUnresolved(stack.region))
      imageUri(stack.region, XGBOOST_REPOSITORY, XGBOOST_TAG);
    this.account = mapping.findInMap(stack.region, 'account');
    const registry = Fn.join('', [
      this.account,
      '.dkr.ecr.',
      stack.region,
      '.',
      stack.urlSuffix,
    ]);
    this.xgboostImage = Fn.join('', [
      registry,
      `/${XGBOOST_REPOSITORY}:${XGBOOST_TAG}`,
    ]);
    this.sklearnImage = Fn.join('', [
      registry,
      `/${SKLEARN_REPOSITORY}:${SKLEARN_TAG}`,
    ]);
  }

  /** ECR repository ARNs of the two images (for least-privilege pull permissions). */
  repositoryArns(): string[] {
    return [XGBOOST_REPOSITORY, SKLEARN_REPOSITORY].map(repo =>
      Fn.join('', [
        'arn:',
        Stack.of(this).partition,
        ':ecr:',
        Stack.of(this).region,
        ':',
        this.account,
        ':repository/',
        repo,
      ]),
    );
  }
}
