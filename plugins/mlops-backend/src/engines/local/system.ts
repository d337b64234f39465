import { InputError } from '@backstage/errors';
import type { MlSystemSpec } from '@mlops-portal/ml-core';
import type { MlopsResources } from '@mlops-portal/plugin-mlops-common';

/** The ML system an engine call runs by: the parsed spec and its content hash. */
export interface RunSystem {
  spec: MlSystemSpec;
  hash: string;
}

/**
 * The entity's spec, which the service attaches to engine calls that need
 * one (upload checks, training). Without it the call is a bad request
 * naming the annotation, never a 500.
 */
export function systemOf(resources: MlopsResources, action: string): RunSystem {
  const system = resources.system;
  if (!system?.spec) {
    throw new InputError(
      `${action} needs the entity's ML system spec: add the annotation mlops.io/spec to ${
        resources.entityRef || 'the entity'
      }`,
    );
  }
  // The service validated it with ml-core's parseSpec; this is its JSON form.
  return { spec: system.spec as unknown as MlSystemSpec, hash: system.hash };
}
