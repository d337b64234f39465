/**
 * The one definition of an ML system's description (the spec file a team keeps
 * beside its catalog-info.yaml), the data set schema resolved from it, the
 * columnar table every reader produces, and the signature every trained model
 * carries. The portal (both engines), the CLI and infra's CDK construct all read
 * these types; nothing generic knows a particular data set.
 *
 * Shapes follow MLflow's model signature (`inputs`/`outputs` column specs), the
 * Open Inference Protocol's model metadata and SageMaker's vocabulary.
 */

/** What the model predicts. */
export type Task = 'regression' | 'binary' | 'multiclass';

/** How a column's cells are read. */
export type ColumnType = 'numeric' | 'categorical' | 'boolean';

/** XGBoost 1.7 objectives the ML core trains; the default follows the task. */
export type Objective =
  | 'reg:squarederror'
  | 'binary:logistic'
  | 'multi:softprob';

/** One column as a spec states it; anything left out is inferred from the data. */
export interface ColumnSpec {
  /** Key used in APIs and prediction records; the header text when the file has a header. */
  name: string;
  type?: ColumnType;
  /** Display name for forms and tables. */
  label?: string;
  description?: string;
  /** Display unit of the measurement as a person takes it (e.g. `mm`). */
  unit?: string;
  /** Display value = stored value × scale (Abalone stores mm ÷ 200, so 200). */
  scale?: number;
  /** Accepted range, stored units (numeric). Outside it a prediction request is refused. */
  min?: number;
  max?: number;
  /** Allowed categories (categorical). When given, any other value is an error. */
  categories?: string[];
  /** Display names of categories, keyed by category. */
  categoryLabels?: Record<string, string>;
}

/** The `dataset` section of a spec. */
export interface DatasetSpec {
  /** true: the first row names the columns; false: `columns` gives every name in file order. */
  header: boolean;
  /** Required (all columns, file order) without a header; with one, overrides by name. */
  columns?: ColumnSpec[];
  target: string;
  task: Task;
  /** Class labels in index order (classification). Inferred (sorted) when left out. */
  classes?: string[];
  /** Cells read as missing. Default: empty, `NA`, `?`. */
  missingValues?: string[];
  /** One-hot width cap per categorical feature; rarer categories share an `other` column. Default 50. */
  maxCategories?: number;
}

export interface SplitSpec {
  /** Fractions of rows (after de-duplication grouping), summing to 1. Default 0.7 / 0.15 / 0.15. */
  train: number;
  validation: number;
  test: number;
  seed?: number;
  /** Classification default: true (class shares kept in each part). */
  stratify?: boolean;
}

/** The `training` section: objective and XGBoost hyperparameters (names as XGBoost spells them). */
export interface TrainingSpec {
  objective?: Objective;
  hyperparameters?: Record<string, number | string>;
  split?: SplitSpec;
}

/** SageMaker ConditionStep comparisons. */
export type GateComparison =
  | 'LessThanOrEqualTo'
  | 'LessThan'
  | 'GreaterThanOrEqualTo'
  | 'GreaterThan';

/**
 * The quality gate a version must pass to be registered. `metric` names a key of
 * the task's Model Quality report (`mse`, `auc`, `accuracy`, `weighted_f1`, …);
 * the pipeline step is named `Check` + metric upper-cased (`CheckMSE`, `CheckAUC`).
 */
export interface GateSpec {
  metric: string;
  comparison: GateComparison;
  threshold: number;
}

export interface ApprovalSpec {
  /** Register passing versions as Approved (no manual approval). Default false. */
  preApprove?: boolean;
  /** The approver may not be whoever started the run or uploaded its data. Default false. */
  fourEyes?: boolean;
}

/** How a regression prediction is shown to people (e.g. age = rings + 1.5 years). */
export interface OutputDisplaySpec {
  /** Field under which predictions also carry the display value (e.g. `age`). */
  name?: string;
  label?: string;
  unit?: string;
  /** Display value = prediction × scale + offset. */
  scale?: number;
  offset?: number;
}

export interface MonitoringSpec {
  drift?: {
    /** Population stability index above which a feature counts as drifted. Default 0.2. */
    psiThreshold?: number;
    /** L-infinity distance (categorical) / KS distance (numeric) above which it counts. */
    distanceThreshold?: number;
  };
}

/** A monitoring window the drift trigger judges (the monitoring API's windows). */
export type RetrainingWindow = '1h' | '24h' | '7d';

/**
 * The closed loop: when the portal starts a training run by itself. The
 * resulting version still waits for approval unless `autoApprove` is set and
 * the platform allows pre-approval.
 */
export interface RetrainingSpec {
  /** A run every time this 5-field cron expression (UTC) fires. */
  schedule?: { cron: string };
  /**
   * A run when the deployed version's inputs drifted in this many consecutive
   * windows, at most once per cooldown (a duration: `30m`, `12h`, `7d`).
   */
  drift?: {
    consecutiveWindows: number;
    window: RetrainingWindow;
    cooldown: string;
  };
  /** Register the automatic runs' versions as Approved (needs `mlops.approval.preApprove`). Default false. */
  autoApprove?: boolean;
}

/**
 * The `deployment` section: how an approved version reaches the endpoint, in
 * SageMaker's `DeploymentConfig` vocabulary (the portal's
 * `DeploymentStrategy`, kept structurally identical so the ML core stays
 * free of the plugin packages). An approval may override it.
 */
export interface DeploymentSpec {
  trafficRouting: {
    type: 'ALL_AT_ONCE' | 'CANARY' | 'LINEAR';
    waitIntervalInSeconds: number;
    canarySize?: { type: 'CAPACITY_PERCENT'; value: number };
    linearStepSize?: { type: 'CAPACITY_PERCENT'; value: number };
  };
  terminationWaitInSeconds?: number;
  maximumExecutionTimeoutInSeconds?: number;
  autoRollback?: {
    errorRate?: number;
    p99LatencyMs?: number;
    predictionDrift?: number;
    minInvocations?: number;
  };
}

/** One ML system, as its YAML file says (`mlops.io/spec` annotation). */
export interface MlSystemSpec {
  apiVersion: 'mlops.io/v1alpha1';
  kind: 'MLSystem';
  metadata: { name: string; title?: string; description?: string };
  spec: {
    dataset: DatasetSpec;
    training?: TrainingSpec;
    gate: GateSpec;
    approval?: ApprovalSpec;
    prediction?: { output?: OutputDisplaySpec };
    monitoring?: MonitoringSpec;
    retraining?: RetrainingSpec;
    deployment?: DeploymentSpec;
  };
}

/** A column after inference and spec overrides: type always known. */
export interface ColumnSchema extends ColumnSpec {
  type: ColumnType;
}

/** The data set's schema, resolved (spec + inference). */
export interface DatasetSchema {
  header: boolean;
  /** Every column in file order, the target included. */
  columns: ColumnSchema[];
  target: string;
  task: Task;
  /** Classification: class labels in index order. */
  classes?: string[];
  missingValues: string[];
  maxCategories: number;
}

/** A column of a Table. Missing: NaN (numeric) or code -1. Booleans have levels ['false', 'true']. */
export type ColumnData =
  | { type: 'numeric'; values: Float64Array }
  | { type: 'categorical' | 'boolean'; codes: Int32Array; levels: string[] };

/** A parsed table, column by column (a few bytes a cell, so millions of rows fit). */
export interface Table {
  rowCount: number;
  /** Column names in schema order. */
  names: string[];
  columns: ColumnData[];
}

/**
 * A rejected cell or row. `row` is the 1-based line in the file; `value` is cut
 * to 64 characters (a cell is never echoed whole).
 */
export interface TableRowError {
  row: number;
  column?: string;
  value?: string;
  reason: string;
}

/** One model input in a signature (MLflow column spec + what training saw). */
export interface SignatureInput {
  name: string;
  type: ColumnType;
  /** Open Inference Protocol datatype: FP64 (numeric), BYTES (categorical), BOOL. */
  datatype: 'FP64' | 'BYTES' | 'BOOL';
  label?: string;
  description?: string;
  unit?: string;
  scale?: number;
  /** Accepted range (stored units), from the spec. */
  min?: number;
  max?: number;
  /** Range seen in the training rows. */
  observedMin?: number;
  observedMax?: number;
  /** Categories the model knows (one-hot order); fixed by the spec or seen in training. */
  categories?: string[];
  /** true: the spec fixes `categories`, so any other value is refused (otherwise it is encoded as unknown). */
  fixedCategories?: boolean;
  categoryLabels?: Record<string, string>;
  /** Share of training rows where the cell was missing. */
  missingRate: number;
}

/** signature.json, written next to model.json by every training run. */
export interface ModelSignature {
  format: 'mlops-portal/signature';
  version: 1;
  /** Model inputs in the order the endpoint reads CSV columns. */
  inputs: SignatureInput[];
  outputs: {
    task: Task;
    /** The target column's name (regression) or the class column's (classification). */
    target: string;
    /** Classification: labels in class-index order (probabilities come in this order). */
    classes?: string[];
    display?: OutputDisplaySpec;
  };
  /** A few real training rows (raw values, keyed by input name) for forms and examples. */
  examples?: Array<Record<string, number | string | boolean | null>>;
}
