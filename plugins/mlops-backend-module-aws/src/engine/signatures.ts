import { GetObjectCommand } from '@aws-sdk/client-s3';
import type { DescribeModelPackageCommandOutput } from '@aws-sdk/client-sagemaker';
import {
  ConflictError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import type {
  MlopsResources,
  ModelSignature,
} from '@mlops-portal/plugin-mlops-common';
import { LRUCache } from 'lru-cache';
import { z } from 'zod';
import type { ClientContext } from './clientContext';
import { parseS3Uri } from './mappers';

/**
 * The model package's `CustomerMetadataProperties` key holding the S3 URI of
 * the version's signature.json (written at Register by infra/).
 */
export const SIGNATURE_METADATA_KEY = 'mlops:signature';

/** A signature is columns and a few example rows; anything larger is not one. */
export const MAX_SIGNATURE_BYTES = 1 << 20;

const featureValue = z.union([z.number(), z.string(), z.boolean(), z.null()]);

const signatureSchema = z.object({
  format: z.literal('mlops-portal/signature'),
  version: z.literal(1),
  inputs: z
    .array(
      z.object({
        name: z.string().min(1),
        type: z.enum(['numeric', 'categorical', 'boolean']),
        datatype: z.enum(['FP64', 'BYTES', 'BOOL']),
        label: z.string().optional(),
        description: z.string().optional(),
        unit: z.string().optional(),
        scale: z.number().optional(),
        min: z.number().optional(),
        max: z.number().optional(),
        observedMin: z.number().optional(),
        observedMax: z.number().optional(),
        categories: z.array(z.string()).optional(),
        fixedCategories: z.boolean().optional(),
        categoryLabels: z.record(z.string(), z.string()).optional(),
        missingRate: z.number().min(0).max(1),
      }),
    )
    .min(1),
  outputs: z
    .object({
      task: z.enum(['regression', 'binary', 'multiclass']),
      target: z.string().min(1),
      classes: z.array(z.string()).optional(),
      display: z
        .object({
          name: z.string().optional(),
          label: z.string().optional(),
          unit: z.string().optional(),
          scale: z.number().optional(),
          offset: z.number().optional(),
        })
        .optional(),
    })
    .refine(
      o =>
        o.task === 'regression' ||
        (o.classes !== undefined &&
          o.classes.length === (o.task === 'binary' ? 2 : o.classes.length) &&
          o.classes.length >= 2),
      { message: 'a classifier needs its class labels (binary: exactly 2)' },
    ),
  examples: z.array(z.record(z.string(), featureValue)).optional(),
});

/** Checks a signature.json's text; throws an Error saying what is wrong. */
export function parseSignatureJson(text: string): ModelSignature {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new Error(`not JSON (${e})`);
  }
  const parsed = signatureSchema.safeParse(doc);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(
      `not a model signature: ${issue.path.join('.') || '(root)'}: ${
        issue.message
      }`,
    );
  }
  return parsed.data as ModelSignature;
}

/**
 * Where the package's own artifacts live: the S3 directory that its model
 * data, evaluation report and baselines share (infra/ writes them all under
 * `<system prefix>runs/<execution id>/`). A signature URI is only followed
 * inside it, so a package cannot point the backend's credentials at another
 * system's (or any) object.
 */
export function packageArtifactPrefix(
  pkg: DescribeModelPackageCommandOutput,
): { bucket: string; prefix: string } | undefined {
  const m = pkg.ModelMetrics;
  const uris = [
    ...(pkg.InferenceSpecification?.Containers ?? []).map(c => c.ModelDataUrl),
    m?.ModelQuality?.Statistics?.S3Uri,
    m?.ModelQuality?.Constraints?.S3Uri,
    m?.ModelDataQuality?.Statistics?.S3Uri,
    m?.ModelDataQuality?.Constraints?.S3Uri,
  ]
    .filter((u): u is string => typeof u === 'string')
    .map(parseS3Uri)
    .filter((l): l is { bucket: string; key: string } => l !== undefined);
  if (uris.length === 0) return undefined;
  const bucket = uris[0].bucket;
  if (uris.some(u => u.bucket !== bucket)) return undefined;
  // Common whole-directory prefix of every key.
  const dirs = uris.map(u => u.key.split('/').slice(0, -1));
  const common: string[] = [];
  for (let i = 0; dirs.every(d => i < d.length && d[i] === dirs[0][i]); i++)
    common.push(dirs[0][i]);
  return { bucket, prefix: common.length ? `${common.join('/')}/` : '' };
}

/** Signatures of model packages, read from S3 (bounded cache: a signature never changes). */
export class ModelSignatures {
  private readonly byUri = new LRUCache<string, ModelSignature>({ max: 500 });

  constructor(private readonly ctx: ClientContext) {}

  /**
   * The signature of a described package of the entity's group.
   * NotFoundError when the package names none (versions from before
   * signatures); NotAllowedError when it names one outside its own
   * artifacts; ConflictError (the registry holds a bad object, not the
   * caller's mistake) when it is too large or not a signature.
   */
  async read(
    r: MlopsResources,
    pkg: DescribeModelPackageCommandOutput,
  ): Promise<ModelSignature> {
    const version = pkg.ModelPackageVersion;
    const uri = pkg.CustomerMetadataProperties?.[SIGNATURE_METADATA_KEY];
    if (!uri) {
      throw new NotFoundError(
        `Version ${version} of ${r.modelPackageGroupName} has no signature (no ${SIGNATURE_METADATA_KEY} in its CustomerMetadataProperties)`,
      );
    }
    const cached = this.byUri.get(uri);
    if (cached) return cached;
    const loc = parseS3Uri(uri);
    const owned = packageArtifactPrefix(pkg);
    if (
      !loc ||
      !loc.key ||
      !owned ||
      loc.bucket !== owned.bucket ||
      !loc.key.startsWith(owned.prefix) ||
      loc.key.split('/').includes('..')
    ) {
      this.ctx.logger.warn(
        `Model package ${
          pkg.ModelPackageArn
        } names signature ${uri} outside its artifacts (${
          owned ? `s3://${owned.bucket}/${owned.prefix}` : 'none'
        }); not read`,
      );
      throw new NotAllowedError(
        `The signature of version ${version} is not among the version's own artifacts`,
      );
    }
    const { s3 } = await this.ctx.clients(r);
    const obj = await this.ctx.call('s3:GetObject', () =>
      s3.send(new GetObjectCommand({ Bucket: loc.bucket, Key: loc.key })),
    );
    if ((obj?.ContentLength ?? 0) > MAX_SIGNATURE_BYTES) {
      throw new ConflictError(
        `The signature of version ${version} is ${obj?.ContentLength} bytes, over the ${MAX_SIGNATURE_BYTES} byte limit`,
      );
    }
    const bytes = obj?.Body ? await obj.Body.transformToByteArray() : undefined;
    if (!bytes) throw new NotFoundError(`The signature ${uri} is empty`);
    if (bytes.byteLength > MAX_SIGNATURE_BYTES) {
      throw new ConflictError(
        `The signature of version ${version} is over the ${MAX_SIGNATURE_BYTES} byte limit`,
      );
    }
    let signature: ModelSignature;
    try {
      signature = parseSignatureJson(Buffer.from(bytes).toString('utf-8'));
    } catch (e) {
      this.ctx.logger.warn(`Signature ${uri} is unreadable: ${e}`);
      throw new ConflictError(
        `The signature of version ${version} is unreadable: ${
          (e as Error).message
        }`,
      );
    }
    this.byUri.set(uri, signature);
    return signature;
  }
}
