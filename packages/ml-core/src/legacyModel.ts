import type { PreprocessorArtifact } from './preprocess';
import {
  TABLE_PREPROCESSOR_FORMAT,
  type FeatureEncoder,
  type TablePreprocessorArtifact,
} from './dataset/preprocessor';
import type { ModelSignature } from './spec/types';

/**
 * Models trained by the first release (one data set, before signatures)
 * carry the Abalone-only preprocessor (`mlops-portal/abalone-preprocessor`).
 * Its transform is exactly the table preprocessor's for these columns —
 * numeric median impute then (x − mean) / scale, then `sex` one-hot with an
 * unknown value as all zeros — so such a version is served by the generic
 * path once its artifact is restated in the table form, with the signature
 * that artifact implies. Upgraded portals keep serving the version they had
 * deployed; nothing stored is rewritten.
 */
export const LEGACY_PREPROCESSOR_FORMAT = 'mlops-portal/abalone-preprocessor';

/** The first release's regression target and how its answers were shown. */
const LEGACY_OUTPUTS: ModelSignature['outputs'] = {
  task: 'regression',
  target: 'rings',
  display: { name: 'age', label: 'Age', unit: 'years', offset: 1.5 },
};

function isLegacyArtifact(pre: unknown): pre is PreprocessorArtifact {
  const p = pre as PreprocessorArtifact | undefined;
  const n = p?.numericFeatures?.length;
  return (
    p?.format === LEGACY_PREPROCESSOR_FORMAT &&
    typeof n === 'number' &&
    n > 0 &&
    p.medians?.length === n &&
    p.means?.length === n &&
    p.scales?.length === n &&
    Array.isArray(p.sexCategories)
  );
}

/**
 * The table preprocessor and signature equivalent to a first-release
 * preprocessor.json, or undefined when `pre` is not one.
 */
export function upgradeLegacyPreprocessor(
  pre: unknown,
):
  | { preprocessor: TablePreprocessorArtifact; signature: ModelSignature }
  | undefined {
  if (!isLegacyArtifact(pre)) return undefined;
  // Output columns in the legacy order: the numerics, then the sex one-hot.
  const features: FeatureEncoder[] = [
    ...pre.numericFeatures.map(
      (name, j): FeatureEncoder => ({
        name,
        type: 'numeric',
        median: pre.medians[j],
        mean: pre.means[j],
        scale: pre.scales[j],
      }),
    ),
    {
      name: 'sex',
      type: 'categorical',
      categories: [...pre.sexCategories],
      other: false,
      mostFrequent: null,
    },
  ];
  return {
    preprocessor: {
      format: TABLE_PREPROCESSOR_FORMAT,
      version: 1,
      task: 'regression',
      target: LEGACY_OUTPUTS.target,
      features,
      featureNames: [...pre.featureNames],
    },
    signature: {
      format: 'mlops-portal/signature',
      version: 1,
      inputs: [
        {
          name: 'sex',
          type: 'categorical',
          datatype: 'BYTES',
          categories: [...pre.sexCategories],
          fixedCategories: true,
          missingRate: 0,
        },
        ...pre.numericFeatures.map(name => ({
          name,
          type: 'numeric' as const,
          datatype: 'FP64' as const,
          missingRate: 0,
        })),
      ],
      outputs: { ...LEGACY_OUTPUTS, display: { ...LEGACY_OUTPUTS.display } },
    },
  };
}
