/**
 * lib/images.ts against the SageMaker Python SDK's own image tables
 * (vendored in test/image-uri-config, see its README).
 */
import {
  imageUri,
  SAGEMAKER_IMAGE_ACCOUNTS,
  SKLEARN_REPOSITORY,
  SKLEARN_TAG,
  XGBOOST_REPOSITORY,
  XGBOOST_TAG,
} from '../lib/images';
import sklearnConfig from './image-uri-config/sklearn.json';
import xgboostConfig from './image-uri-config/xgboost.json';

interface VersionEntry {
  registries: Record<string, string>;
  repository: string;
  processors?: string[];
  py_versions?: string[];
}
type ImageConfig = Record<string, { versions: Record<string, VersionEntry> }>;

/** The SDK's tag rule: version, then processor and Python version when the entry lists them. */
function sdkTag(version: string, entry: VersionEntry): string {
  return [version, entry.processors?.[0], entry.py_versions?.[0]]
    .filter(Boolean)
    .join('-');
}

const frameworks = [
  {
    name: 'xgboost',
    config: xgboostConfig as ImageConfig,
    version: '1.7-1',
    repository: XGBOOST_REPOSITORY,
    tag: XGBOOST_TAG,
  },
  {
    name: 'sklearn',
    config: sklearnConfig as ImageConfig,
    version: '1.2-1',
    repository: SKLEARN_REPOSITORY,
    tag: SKLEARN_TAG,
  },
];

describe.each(frameworks)(
  '$name image ($version) matches the SageMaker Python SDK',
  ({ config, version, repository, tag }) => {
    // Processing/training jobs use the training image, the registered model the inference one.
    for (const scope of ['training', 'inference']) {
      const entry = config[scope].versions[version];

      it(`${scope}: repository and tag`, () => {
        expect(entry.repository).toBe(repository);
        expect(sdkTag(version, entry)).toBe(tag);
      });

      it(`${scope}: every region in lib/images.ts has the SDK's account`, () => {
        const ours = Object.entries(SAGEMAKER_IMAGE_ACCOUNTS).map(
          ([region, account]) => [region, account],
        );
        const sdk = ours.map(([region]) => [
          region,
          entry.registries[region] ?? '(region not in the SDK)',
        ]);
        expect(ours).toEqual(sdk);
        for (const [region, account] of ours) {
          expect(imageUri(region, repository, tag)).toBe(
            `${account}.dkr.ecr.${region}.amazonaws.com/${
              entry.repository
            }:${sdkTag(version, entry)}`,
          );
        }
      });
    }
  },
);
