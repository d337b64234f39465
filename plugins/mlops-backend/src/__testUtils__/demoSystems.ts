/**
 * The demo ML systems (packages/demo-systems) as tests use them: the parsed
 * spec, the `resources.system` the service attaches to engine calls, and
 * the data file. Test-only; product code never names a data set.
 */
import { parseSpec, type MlSystemSpec } from '@mlops-portal/ml-core';
import type {
  FeatureRecord,
  SystemSpecResponse,
} from '@mlops-portal/plugin-mlops-common';
import { createHash } from 'crypto';
import fs from 'fs';
import path from 'path';

export const DEMO_SYSTEMS_DIR = path.resolve(
  __dirname,
  '../../../../packages/demo-systems',
);

export type DemoSystemName = 'abalone' | 'breast-cancer' | 'penguins';

const DATA_FILES: Record<DemoSystemName, string> = {
  abalone: 'abalone.data',
  'breast-cancer': 'breast-cancer.csv',
  penguins: 'penguins.csv',
};

export interface DemoSystem {
  spec: MlSystemSpec;
  /** What the service passes as `resources.system`. */
  system: SystemSpecResponse;
  dataPath: string;
}

export function demoSystem(name: DemoSystemName): DemoSystem {
  const dir = path.join(DEMO_SYSTEMS_DIR, name);
  const text = fs.readFileSync(path.join(dir, 'ml-system.yaml'), 'utf8');
  const spec = parseSpec(text);
  return {
    spec,
    system: {
      source: './ml-system.yaml',
      hash: createHash('sha256').update(text).digest('hex'),
      spec: spec as unknown as SystemSpecResponse['spec'],
    },
    dataPath: path.join(dir, DATA_FILES[name]),
  };
}

/** A typical adult abalone (15 rings in the data set), in the data set's units. */
export const ABALONE_RECORD: FeatureRecord = {
  sex: 'M',
  length: 0.455,
  diameter: 0.365,
  height: 0.095,
  wholeWeight: 0.514,
  shuckedWeight: 0.2245,
  visceraWeight: 0.101,
  shellWeight: 0.15,
};
