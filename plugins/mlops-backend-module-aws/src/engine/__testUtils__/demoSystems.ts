/**
 * The demo ML systems (packages/demo-systems) as this module's tests use
 * them: the parsed spec, the `resources.system` the plugin attaches to
 * engine calls, and the data file. Test-only.
 */
import { parseSpec, type MlSystemSpec } from '@mlops-portal/ml-core';
import type { SystemSpecResponse } from '@mlops-portal/plugin-mlops-common';
import { createHash } from 'crypto';
import fs from 'fs';
import path from 'path';

const DIR = path.resolve(__dirname, '../../../../../packages/demo-systems');

const DATA_FILES = {
  abalone: 'abalone.data',
  'breast-cancer': 'breast-cancer.csv',
  penguins: 'penguins.csv',
} as const;

export type DemoSystemName = keyof typeof DATA_FILES;

export function demoSystem(name: DemoSystemName): {
  spec: MlSystemSpec;
  system: SystemSpecResponse;
  dataPath: string;
} {
  const dir = path.join(DIR, name);
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
