/** One value to check against an AWS operation's request ("input") or response ("output") shape. */
export interface AwsShapeItem {
  /** botocore's service directory name: sagemaker, sagemaker-runtime, s3, codepipeline, … */
  service: string;
  /** Operation name as in the API reference: CreateProcessingJob, PutObject, … */
  operation: string;
  kind: 'input' | 'output';
  value: unknown;
  /** Prefix of each problem line; defaults to "service.operation kind". */
  label?: string;
}

/** Problem lines ("label: Path[0].Member: message"); empty when every value fits its model. */
export function validateAwsShapes(items: AwsShapeItem[]): string[];
