/**
 * Two genuinely different versions of one demo system, trained with ml-core
 * in the test process (different rounds and depth) and written as model
 * package directories, so a shadow test compares real models. Test-only.
 */
import { trainXGBoost } from '@mlops-portal/ml-core';
import type { XGBoostParams } from '@mlops-portal/ml-core';
import type { FeatureRecord } from '@mlops-portal/plugin-mlops-common';
import fs from 'fs';
import path from 'path';
import type { DemoSystemName } from '../../../../__testUtils__/demoSystems';
import { prepareDemoTraining } from '../../__testUtils__/demoTraining';

export interface TrainedVersions {
  /** The data set's rows as feature records (target left out). */
  records: FeatureRecord[];
  /** Writes version `which` (1: shallow and short; 2: deeper and longer) into `dir`. */
  write(which: 1 | 2, dir: string): void;
}

const PARAMS: Record<1 | 2, Partial<XGBoostParams>> = {
  1: { num_round: 3, max_depth: 2 },
  2: { num_round: 12, max_depth: 5 },
};

const cache = new Map<DemoSystemName, TrainedVersions>();

export function trainTwoVersions(name: DemoSystemName): TrainedVersions {
  const hit = cache.get(name);
  if (hit) return hit;
  const { data, signature, records, params } = prepareDemoTraining(name);
  const files = ([1, 2] as const).map(which => {
    const { booster } = trainXGBoost(
      params({ early_stopping_rounds: undefined, ...PARAMS[which] }),
      data.train,
      data.validation,
    );
    return {
      'model.json': booster.toXGBoostJSONString(),
      'preprocessor.json': JSON.stringify(data.preprocessor),
      'signature.json': JSON.stringify(signature),
    };
  });
  const trained: TrainedVersions = {
    records,
    write(which, dir) {
      fs.mkdirSync(dir, { recursive: true });
      for (const [file, body] of Object.entries(files[which - 1]))
        fs.writeFileSync(path.join(dir, file), body);
    },
  };
  cache.set(name, trained);
  return trained;
}
