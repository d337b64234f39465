/** What the local benchmarks share: the data set, a quiet logger, the demo entity. */
import type { LoggerService } from '@backstage/backend-plugin-api';
import path from 'path';

/** The real data set (never copied into the repo). */
export const DATA = path.resolve(
  __dirname,
  '../../../../../shared/data/abalone.data',
);

export const quietLogger: LoggerService = {
  info() {},
  debug() {},
  warn: (m: string) => console.warn(`warn: ${m}`),
  error: (m: string) => console.error(`error: ${m}`),
  child: () => quietLogger,
};

export const resources = {
  entityRef: 'component:default/abalone-age-predictor',
  pipelineName: 'abalone-pipeline',
  modelPackageGroupName: 'AbaloneModelPackageGroup',
  endpointName: 'abalone-endpoint',
  releasePipelineName: 'abalone-release',
};

export const actor = { ref: 'user:default/guest' };
