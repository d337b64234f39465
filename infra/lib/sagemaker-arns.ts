import { Stack } from 'aws-cdk-lib';

/**
 * SageMaker lower-cases resource names inside ARNs (a group named
 * MyModelPackageGroup has packages ".../mymodelpackagegroup/3"),
 * and IAM matches ARNs case-sensitively, so policies use the lower-case form.
 */
export function sageMakerArn(stack: Stack, resource: string): string {
  return stack.formatArn({
    service: 'sagemaker',
    resource: resource.toLowerCase(),
  });
}

export const modelPackageGroupArn = (stack: Stack, group: string) =>
  sageMakerArn(stack, `model-package-group/${group}`);
export const modelPackagesArn = (stack: Stack, group: string) =>
  sageMakerArn(stack, `model-package/${group}/*`);
export const pipelineArn = (stack: Stack, pipeline: string) =>
  sageMakerArn(stack, `pipeline/${pipeline}`);
