/**
 * The ML systems this repository's CDK app deploys: the demo systems' spec
 * files. A platform team's own app lists its systems the same way (or calls
 * `new MlSystem(...)` once per system).
 */
import * as path from 'path';
import { SystemEntry } from '../lib/mlops-app';

const DEMO = path.join(__dirname, '..', '..', 'packages', 'demo-systems');

export const SYSTEMS: SystemEntry[] = [
  {
    // The reference system keeps the stack and resource names it was first
    // deployed with, so existing catalog entities and clients stay valid.
    id: 'Mlops',
    specFile: path.join(DEMO, 'abalone', 'ml-system.yaml'),
    names: {
      pipelineName: 'abalone-pipeline',
      modelPackageGroupName: 'AbaloneModelPackageGroup',
      endpointName: 'abalone-age-endpoint',
      releasePipelineName: 'abalone-release',
    },
    consumerSite: true,
  },
  {
    id: 'BreastCancer',
    specFile: path.join(DEMO, 'breast-cancer', 'ml-system.yaml'),
    // The spec names only the target; the 30 measurements' types come from the header and rows.
    dataFile: path.join(DEMO, 'breast-cancer', 'breast-cancer.csv'),
  },
];
