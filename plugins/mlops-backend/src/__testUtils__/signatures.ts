/**
 * Signatures for engine test doubles, derived from a demo system's spec the
 * way a training run states them (inputs with the spec's ranges and fixed
 * categories, the output's task, classes and display). Test-only.
 */
import type { MlSystemSpec } from '@mlops-portal/ml-core';
import type {
  DeploymentsResponse,
  ModelSignature,
} from '@mlops-portal/plugin-mlops-common';
import { demoSystem, type DemoSystemName } from './demoSystems';

const DATATYPES = {
  numeric: 'FP64',
  categorical: 'BYTES',
  boolean: 'BOOL',
} as const;

export function signatureFromSpec(spec: MlSystemSpec): ModelSignature {
  const { dataset, prediction } = spec.spec;
  return {
    format: 'mlops-portal/signature',
    version: 1,
    inputs: (dataset.columns ?? [])
      .filter(c => c.name !== dataset.target)
      .map(c => ({
        name: c.name,
        type: c.type ?? 'numeric',
        datatype: DATATYPES[c.type ?? 'numeric'],
        ...(c.label ? { label: c.label } : {}),
        ...(c.min !== undefined ? { min: c.min } : {}),
        ...(c.max !== undefined ? { max: c.max } : {}),
        ...(c.categories
          ? { categories: c.categories, fixedCategories: true }
          : {}),
        missingRate: 0,
      })),
    outputs: {
      task: dataset.task,
      target: dataset.target,
      ...(dataset.classes ? { classes: dataset.classes } : {}),
      ...(prediction?.output ? { display: prediction.output } : {}),
    },
  };
}

export function demoSignature(name: DemoSystemName): ModelSignature {
  return signatureFromSpec(demoSystem(name).spec);
}

/**
 * The two engine reads a prediction makes before scoring: which version the
 * endpoint serves (`version`) and that version's signature.
 */
export function servingEngineParts(
  signature: ModelSignature,
  version = 1,
  endpointName = 'abalone-endpoint',
) {
  return {
    listDeployments: jest.fn(
      async (): Promise<DeploymentsResponse> =>
        ({
          endpoint: {
            endpointName,
            status: 'InService',
            modelVersion: version,
          },
          deployments: [],
        } as unknown as DeploymentsResponse),
    ),
    getModelSignature: jest.fn(async () => signature),
  };
}
