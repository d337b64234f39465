/**
 * SageMaker Pipeline definition (schema version 2020-12-01) built in
 * TypeScript, so synth needs no Python SDK. Steps: Preprocess → Train →
 * Evaluate → Check<metric> (the spec's gate) → Register (or fail). The task
 * fixes the XGBoost objective; everything about the data set reaches the
 * step scripts as system.json (a processing input).
 * Values may be CDK tokens; the stack serialises with Stack.toJsonString.
 */
import {
  DEFAULT_PROCESSING_INSTANCE_TYPE,
  DEFAULT_TRAINING_INSTANCE_TYPE,
  modelParameters,
  PipelineParameterSpec,
} from './config';
import {
  gateJsonPath,
  gateStepName,
  ResolvedSystem,
  taskTraining,
} from './spec';

export interface PipelineDefinitionProps {
  system: ResolvedSystem;
  /** Role the processing/training jobs run as. */
  roleArn: string;
  /** Bucket holding the system's step code (`<prefix>code/`), system.json (`<prefix>spec/`) and runs (`<prefix>runs/<execution id>/`). */
  artifactBucketName: string;
  /** The system's key prefix in the artifact bucket, e.g. `systems/churn-predictor/`. */
  artifactPrefix: string;
  /** Default of the InputDataUrl parameter (S3 prefix of the data set). */
  defaultInputDataUrl: string;
  sklearnImage: string;
  xgboostImage: string;
  modelPackageGroupName: string;
  /** Region the model serves in (the SKLearn serving container wants it). */
  region: string;
  /** Instance types the registered model declares for real-time inference. */
  inferenceInstanceTypes?: string[];
}

export const STEP_NAMES = {
  preprocess: 'Preprocess',
  train: 'Train',
  evaluate: 'Evaluate',
  register: 'Register',
} as const;

export const EVALUATION_PROPERTY_FILE = 'EvaluationReport';
/** Key of the model package's CustomerMetadataProperties holding the S3 URI of its signature.json. */
export const SIGNATURE_METADATA_KEY = 'mlops:signature';
/**
 * Key of the model package's CustomerMetadataProperties holding the S3 URI of
 * its prediction-baseline.json (evaluate.py), which the rollout drift
 * publisher (lambda/prediction-drift) compares live predictions with.
 */
export const PREDICTION_BASELINE_METADATA_KEY = 'mlops:prediction-baseline';
/** The file evaluate.py writes next to evaluation.json (ml/prediction_baseline.py). */
export const PREDICTION_BASELINE_FILE = 'prediction-baseline.json';

type Expr = string | number | Record<string, unknown>;

const param = (name: string) => ({ Get: `Parameters.${name}` });
const join = (on: string, values: Expr[]) => ({
  'Std:Join': { On: on, Values: values },
});
/** Job arguments and hyperparameters are strings; Std:Join turns a number parameter into one. */
const asString = (name: string) => join('', [param(name)]);
const executionId = { Get: 'Execution.PipelineExecutionId' };

export interface PipelineParameterDefinition {
  Name: string;
  Type: 'Integer' | 'Float' | 'String';
  DefaultValue: string | number;
}

export function pipelineParameters(
  defaultInputDataUrl: string,
  system: ResolvedSystem,
): PipelineParameterDefinition[] {
  const own: PipelineParameterSpec[] = [
    { name: 'InputDataUrl', type: 'String', default: defaultInputDataUrl },
    {
      name: 'ProcessingInstanceType',
      type: 'String',
      default: DEFAULT_PROCESSING_INSTANCE_TYPE,
    },
    {
      name: 'TrainingInstanceType',
      type: 'String',
      default: DEFAULT_TRAINING_INSTANCE_TYPE,
    },
  ];
  return [...own, ...modelParameters(system)].map(p => ({
    Name: p.name,
    Type: p.type,
    DefaultValue: p.default,
  }));
}

export function buildPipelineDefinition(
  props: PipelineDefinitionProps,
): Record<string, unknown> {
  const { system } = props;
  const bucket = `s3://${props.artifactBucketName}/${props.artifactPrefix}`;
  const runPath = (...parts: string[]) =>
    join('/', [`${bucket}runs`, executionId, ...parts]);
  const codeUri = `${bucket}code/`;
  const systemUri = `${bucket}spec/`;
  const checkName = gateStepName(system.gate);
  const inferenceTypes = props.inferenceInstanceTypes ?? [
    'ml.m5.large',
    'ml.m5.xlarge',
    'ml.c5.large',
  ];

  const s3Input = (name: string, uri: Expr, localPath: string) => ({
    InputName: name,
    AppManaged: false,
    S3Input: {
      S3Uri: uri,
      LocalPath: localPath,
      S3DataType: 'S3Prefix',
      S3InputMode: 'File',
      S3DataDistributionType: 'FullyReplicated',
      S3CompressionType: 'None',
    },
  });
  const s3Output = (name: string, localPath: string) => ({
    OutputName: name,
    AppManaged: false,
    S3Output: {
      S3Uri: runPath(name),
      LocalPath: localPath,
      S3UploadMode: 'EndOfJob',
    },
  });
  const processingResources = {
    ClusterConfig: {
      InstanceType: param('ProcessingInstanceType'),
      InstanceCount: 1,
      VolumeSizeInGB: 30,
    },
  };
  const outputUri = (step: string, output: string) => ({
    Get: `Steps.${step}.ProcessingOutputConfig.Outputs['${output}'].S3Output.S3Uri`,
  });

  const preprocess = {
    Name: STEP_NAMES.preprocess,
    Type: 'Processing',
    Arguments: {
      ProcessingResources: processingResources,
      AppSpecification: {
        ImageUri: props.sklearnImage,
        ContainerEntrypoint: [
          'python3',
          '/opt/ml/processing/input/code/preprocess.py',
        ],
        ContainerArguments: ['--seed', asString('Seed')],
      },
      RoleArn: props.roleArn,
      ProcessingInputs: [
        s3Input(
          'input-data',
          param('InputDataUrl'),
          '/opt/ml/processing/input/data',
        ),
        s3Input('code', codeUri, '/opt/ml/processing/input/code'),
        s3Input('system', systemUri, '/opt/ml/processing/input/system'),
      ],
      ProcessingOutputConfig: {
        Outputs: [
          s3Output('train', '/opt/ml/processing/train'),
          s3Output('validation', '/opt/ml/processing/validation'),
          s3Output('test', '/opt/ml/processing/test'),
          s3Output('preprocessor', '/opt/ml/processing/preprocessor'),
          s3Output('baseline', '/opt/ml/processing/baseline'),
          s3Output('signature', '/opt/ml/processing/signature'),
        ],
      },
      StoppingCondition: { MaxRuntimeInSeconds: 3600 },
    },
  };

  // Spec hyperparameters without a pipeline parameter are fixed; the task's objective wins.
  const hyperParameters: Record<string, Expr> = Object.fromEntries(
    Object.entries(system.hyperparameters).map(([k, v]) => [k, String(v)]),
  );
  for (const p of modelParameters(system)) {
    if (p.hyperparameter) hyperParameters[p.hyperparameter] = asString(p.name);
  }
  Object.assign(hyperParameters, taskTraining(system));

  const channel = (name: string) => ({
    ChannelName: name,
    ContentType: 'text/csv',
    DataSource: {
      S3DataSource: {
        S3DataType: 'S3Prefix',
        S3Uri: outputUri(STEP_NAMES.preprocess, name),
        S3DataDistributionType: 'FullyReplicated',
      },
    },
  });

  const train = {
    Name: STEP_NAMES.train,
    Type: 'Training',
    Arguments: {
      AlgorithmSpecification: {
        TrainingImage: props.xgboostImage,
        TrainingInputMode: 'File',
      },
      OutputDataConfig: { S3OutputPath: runPath('model') },
      StoppingCondition: { MaxRuntimeInSeconds: 3600 },
      ResourceConfig: {
        InstanceCount: 1,
        InstanceType: param('TrainingInstanceType'),
        VolumeSizeInGB: 30,
      },
      RoleArn: props.roleArn,
      // The built-in XGBoost stops early on the last channel given ("validation").
      InputDataConfig: [channel('train'), channel('validation')],
      HyperParameters: hyperParameters,
    },
  };

  const modelArtifacts = {
    Get: `Steps.${STEP_NAMES.train}.ModelArtifacts.S3ModelArtifacts`,
  };

  const evaluate = {
    Name: STEP_NAMES.evaluate,
    Type: 'Processing',
    Arguments: {
      ProcessingResources: processingResources,
      AppSpecification: {
        // The XGBoost image has xgboost + numpy + pandas, which is what evaluate.py needs.
        ImageUri: props.xgboostImage,
        ContainerEntrypoint: [
          'python3',
          '/opt/ml/processing/input/code/evaluate.py',
        ],
      },
      RoleArn: props.roleArn,
      ProcessingInputs: [
        s3Input('model', modelArtifacts, '/opt/ml/processing/model'),
        s3Input(
          'test',
          outputUri(STEP_NAMES.preprocess, 'test'),
          '/opt/ml/processing/test',
        ),
        s3Input(
          'signature',
          outputUri(STEP_NAMES.preprocess, 'signature'),
          '/opt/ml/processing/signature',
        ),
        s3Input('code', codeUri, '/opt/ml/processing/input/code'),
        s3Input('system', systemUri, '/opt/ml/processing/input/system'),
      ],
      ProcessingOutputConfig: {
        Outputs: [s3Output('evaluation', '/opt/ml/processing/evaluation')],
      },
      StoppingCondition: { MaxRuntimeInSeconds: 3600 },
    },
    PropertyFiles: [
      {
        PropertyFileName: EVALUATION_PROPERTY_FILE,
        OutputName: 'evaluation',
        FilePath: 'evaluation.json',
      },
    ],
  };

  const evaluationJsonUri = join('/', [
    outputUri(STEP_NAMES.evaluate, 'evaluation'),
    'evaluation.json',
  ]);

  const baselineUri = (file: string) =>
    join('/', [outputUri(STEP_NAMES.preprocess, 'baseline'), file]);

  const register = {
    Name: STEP_NAMES.register,
    Type: 'RegisterModel',
    Arguments: {
      ModelPackageGroupName: props.modelPackageGroupName,
      ModelPackageDescription: join(' ', [
        `${system.title}: preprocessor + XGBoost, pipeline execution`,
        executionId,
      ]),
      ModelApprovalStatus: param('ModelApprovalStatus'),
      // The signature (inputs, task, classes) is found from DescribeModelPackage.
      CustomerMetadataProperties: {
        [SIGNATURE_METADATA_KEY]: join('/', [
          outputUri(STEP_NAMES.preprocess, 'signature'),
          'signature.json',
        ]),
        [PREDICTION_BASELINE_METADATA_KEY]: join('/', [
          outputUri(STEP_NAMES.evaluate, 'evaluation'),
          PREDICTION_BASELINE_FILE,
        ]),
        'mlops:task': system.schema.task,
        'mlops:system': system.name,
      },
      ModelMetrics: {
        ModelQuality: {
          Statistics: {
            ContentType: 'application/json',
            S3Uri: evaluationJsonUri,
          },
        },
        // Model Monitor's drift baseline of this version's training data.
        ModelDataQuality: {
          Statistics: {
            ContentType: 'application/json',
            S3Uri: baselineUri('statistics.json'),
          },
          Constraints: {
            ContentType: 'application/json',
            S3Uri: baselineUri('constraints.json'),
          },
        },
      },
      InferenceSpecification: {
        // A pipeline model: the SKLearn container turns raw CSV inputs into
        // the model features, the XGBoost container predicts.
        Containers: [
          {
            Image: props.sklearnImage,
            ModelDataUrl: join('/', [
              outputUri(STEP_NAMES.preprocess, 'preprocessor'),
              'model.tar.gz',
            ]),
            Environment: {
              SAGEMAKER_PROGRAM: 'inference.py',
              SAGEMAKER_SUBMIT_DIRECTORY: '/opt/ml/model/code',
              SAGEMAKER_CONTAINER_LOG_LEVEL: '20',
              SAGEMAKER_REGION: props.region,
            },
          },
          { Image: props.xgboostImage, ModelDataUrl: modelArtifacts },
        ],
        SupportedContentTypes: ['text/csv'],
        SupportedResponseMIMETypes: ['text/csv'],
        SupportedRealtimeInferenceInstanceTypes: inferenceTypes,
        SupportedTransformInstanceTypes: ['ml.m5.large', 'ml.m5.xlarge'],
      },
    },
  };

  const { gate } = system;
  const fail = {
    Name: `${checkName}Failed`,
    Type: 'Fail',
    Arguments: {
      ErrorMessage: `Quality gate: test ${gate.metric} is not ${gate.comparison} ${gate.threshold} - model not registered`,
    },
  };

  // The threshold is the spec's, not a run parameter: whoever may start a
  // run cannot lower the bar (issue #20).
  const check = {
    Name: checkName,
    Type: 'Condition',
    Arguments: {
      Conditions: [
        {
          Type: gate.comparison,
          LeftValue: {
            'Std:JsonGet': {
              PropertyFile: {
                Get: `Steps.${STEP_NAMES.evaluate}.PropertyFiles.${EVALUATION_PROPERTY_FILE}`,
              },
              Path: gateJsonPath(system),
            },
          },
          RightValue: gate.threshold,
        },
      ],
      IfSteps: [register],
      ElseSteps: [fail],
    },
  };

  return {
    Version: '2020-12-01',
    Metadata: {},
    Parameters: pipelineParameters(props.defaultInputDataUrl, system),
    Steps: [preprocess, train, evaluate, check],
  };
}
