/**
 * Data manifest writer: on every object created in the data bucket, list the
 * data set's current objects and write a manifest to the manifest bucket.
 * The zipped manifest is the release pipeline's S3 source, so each upload
 * starts a release; the plain JSON copy is for people and the portal.
 */
import {
  ListObjectVersionsCommand,
  ListObjectVersionsCommandOutput,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import type { S3Event } from 'aws-lambda';
import { createZip } from './zip';

export interface ManifestFile {
  key: string;
  size: number;
  etag?: string;
  versionId?: string;
  lastModified?: string;
}

/** Same shape as mlops-common's DataManifest, plus where the data lives. */
export interface DataManifest {
  manifestId: string;
  uri: string;
  createdAt: string;
  dataBucket: string;
  /** S3 prefix the ML pipeline reads (its InputDataUrl parameter). */
  inputDataUrl: string;
  /** Keys that triggered this manifest. */
  triggeredBy: string[];
  files: ManifestFile[];
}

export interface WriterConfig {
  dataBucket: string;
  dataPrefix: string;
  manifestBucket: string;
  manifestZipKey: string;
  manifestJsonKey: string;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): WriterConfig {
  const need = (name: string): string => {
    const v = env[name];
    if (!v || v.trim() === '')
      throw new Error(`environment variable ${name} is required`);
    return v.trim();
  };
  return {
    dataBucket: need('DATA_BUCKET'),
    dataPrefix: env.DATA_PREFIX ?? 'data/',
    manifestBucket: need('MANIFEST_BUCKET'),
    manifestZipKey: env.MANIFEST_ZIP_KEY ?? 'manifest/data-manifest.zip',
    manifestJsonKey: env.MANIFEST_JSON_KEY ?? 'manifest/data-manifest.json',
  };
}

/** S3 event keys are URL-encoded with '+' for spaces. */
export function decodeKey(key: string): string {
  return decodeURIComponent(key.replace(/\+/g, ' '));
}

/** Current (latest, not deleted) versions of every object under the prefix. */
export async function listDataFiles(
  s3: S3Client,
  bucket: string,
  prefix: string,
): Promise<ManifestFile[]> {
  const files: ManifestFile[] = [];
  let keyMarker: string | undefined;
  let versionIdMarker: string | undefined;
  for (;;) {
    const page: ListObjectVersionsCommandOutput = await s3.send(
      new ListObjectVersionsCommand({
        Bucket: bucket,
        Prefix: prefix,
        KeyMarker: keyMarker,
        VersionIdMarker: versionIdMarker,
      }),
    );
    for (const v of page.Versions ?? []) {
      // Folder placeholders ("data/") are not data.
      if (!v.IsLatest || !v.Key || v.Key.endsWith('/')) continue;
      files.push({
        key: v.Key,
        size: v.Size ?? 0,
        etag: v.ETag?.replace(/"/g, ''),
        versionId: v.VersionId,
        lastModified: v.LastModified?.toISOString(),
      });
    }
    // A key whose latest version is a delete marker is gone: IsLatest is false on its versions.
    if (!page.IsTruncated) break;
    keyMarker = page.NextKeyMarker;
    versionIdMarker = page.NextVersionIdMarker;
  }
  return files.sort((a, b) => a.key.localeCompare(b.key));
}

export function buildManifest(
  config: WriterConfig,
  files: ManifestFile[],
  triggeredBy: string[],
  now: Date,
  manifestId: string,
): DataManifest {
  return {
    manifestId,
    uri: `s3://${config.manifestBucket}/${config.manifestJsonKey}`,
    createdAt: now.toISOString(),
    dataBucket: config.dataBucket,
    inputDataUrl: `s3://${config.dataBucket}/${config.dataPrefix}`,
    triggeredBy,
    files,
  };
}

export async function writeManifest(
  s3: S3Client,
  config: WriterConfig,
  manifest: DataManifest,
): Promise<void> {
  const json = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8');
  await s3.send(
    new PutObjectCommand({
      Bucket: config.manifestBucket,
      Key: config.manifestJsonKey,
      Body: json,
      ContentType: 'application/json',
    }),
  );
  // Written last: the zip is what starts the release, so the JSON is already there when it runs.
  await s3.send(
    new PutObjectCommand({
      Bucket: config.manifestBucket,
      Key: config.manifestZipKey,
      Body: createZip(
        [{ name: 'manifest.json', data: json }],
        new Date(manifest.createdAt),
      ),
      ContentType: 'application/zip',
    }),
  );
}

export function createHandler(
  s3: S3Client,
  env: NodeJS.ProcessEnv = process.env,
) {
  return async (event: S3Event): Promise<DataManifest | undefined> => {
    const config = readConfig(env);
    const keys = (event.Records ?? [])
      .filter(r => r.s3?.bucket?.name === config.dataBucket)
      .map(r => decodeKey(r.s3.object.key))
      .filter(k => k.startsWith(config.dataPrefix) && !k.endsWith('/'));
    if (keys.length === 0) {
      // Notifications are filtered by prefix already; anything else is not a data change.
      console.log(
        JSON.stringify({
          message: 'no data objects in event, manifest unchanged',
        }),
      );
      return undefined;
    }
    const files = await listDataFiles(s3, config.dataBucket, config.dataPrefix);
    const now = new Date();
    const id = `manifest-${now.toISOString().replace(/[-:.]/g, '')}`;
    const manifest = buildManifest(config, files, keys, now, id);
    await writeManifest(s3, config, manifest);
    console.log(
      JSON.stringify({
        message: 'manifest written',
        manifestId: id,
        files: files.length,
      }),
    );
    return manifest;
  };
}

export const handler = createHandler(new S3Client({}));
