/** Signal channel the backend publishes an entity's MLOps changes on. */
export function mlopsSignalChannel(entityRef: string): string {
  return `mlops:${entityRef}`;
}

export interface MlopsSignal {
  type: 'execution' | 'model-version' | 'deployment';
  executionId?: string;
  version?: number;
}
