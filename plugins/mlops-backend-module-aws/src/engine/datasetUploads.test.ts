import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { DatasetValidationError } from '@mlops-portal/plugin-mlops-node';
import { Readable } from 'stream';
import {
  DATA_BUCKET,
  actor,
  makeEngine,
  resources,
} from './__testUtils__/helpers';
import {
  createCallRecorder,
  docsPolicyAllows,
  validateAwsShapes,
} from './__testUtils__/awsShapes';
import {
  MIN_PART_BYTES,
  PART_URL_TTL_SECONDS,
  partSize,
} from './datasetUploads';

const s3 = mockClient(S3Client);
const recorder = createCallRecorder({ s3 });
afterEach(() => recorder.collect(expect.getState().currentTestName));
beforeEach(() => s3.reset());

const UPLOAD_ID = 'VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA';
const ROWS =
  'M,0.455,0.365,0.095,0.514,0.2245,0.101,0.15,15\nF,0.53,0.42,0.135,0.677,0.2565,0.1415,0.21,9\n';
const STAGED = /^staging\/\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z-big\.csv$/;

function stage(text: string) {
  s3.on(CompleteMultipartUploadCommand).resolves({
    $metadata: { httpStatusCode: 200 },
    Bucket: DATA_BUCKET,
    Key: 'staging/x',
    ETag: '"3858f62230ac3c915f300c664312c11f-2"',
  });
  s3.on(GetObjectCommand).resolves({
    $metadata: { httpStatusCode: 200 },
    ContentType: 'text/csv',
    // what the SDK gives in Node: a Readable (with a mixin), read as a stream
    Body: Readable.from([
      Buffer.from(text.slice(0, 31)),
      Buffer.from(text.slice(31)),
    ]) as any,
  });
  s3.on(DeleteObjectCommand).resolves({ $metadata: { httpStatusCode: 204 } });
}

const KEY = 'staging/2026-12-01T15-30-00-000Z-big.csv';
const parts = [
  { partNumber: 2, etag: '"b54357faf0632cce46e942fa68356b38"' },
  { partNumber: 1, etag: '"acbd18db4cc2f85cedef654fccc4a4d8"' },
];

describe('AwsEngine direct uploads', () => {
  it('opens a multipart upload to a staging key and presigns one URL per part', async () => {
    s3.on(CreateMultipartUploadCommand).resolves({
      $metadata: { httpStatusCode: 200 },
      Bucket: DATA_BUCKET,
      Key: 'staging/x',
      UploadId: UPLOAD_ID,
    });
    const { engine } = makeEngine();
    const size = 2 * MIN_PART_BYTES + 1234;
    const session = await engine.createDatasetUpload(resources, {
      fileName: 'big.csv',
      sizeBytes: size,
      actor,
    });
    const input = s3.commandCalls(CreateMultipartUploadCommand)[0].args[0]
      .input;
    expect(input).toEqual({
      Bucket: DATA_BUCKET,
      Key: expect.stringMatching(STAGED),
      ContentType: 'text/csv',
      Metadata: { 'uploaded-by': 'user:default/guest' },
    });
    expect(session).toMatchObject({
      uploadId: UPLOAD_ID,
      key: input.Key,
      partSizeBytes: MIN_PART_BYTES,
    });
    expect(session.parts.map(p => p.partNumber)).toEqual([1, 2, 3]);
    for (const part of session.parts) {
      const url = new URL(part.url);
      expect(url.hostname).toBe(`${DATA_BUCKET}.s3.eu-west-1.amazonaws.com`);
      expect(url.pathname).toBe(`/${input.Key}`);
      expect(url.searchParams.get('uploadId')).toBe(UPLOAD_ID);
      expect(url.searchParams.get('partNumber')).toBe(String(part.partNumber));
      expect(url.searchParams.get('x-id')).toBe('UploadPart');
      expect(url.searchParams.get('X-Amz-Expires')).toBe(
        String(PART_URL_TTL_SECONDS),
      );
      expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    }
    // presigning sends nothing: the one S3 call is CreateMultipartUpload
    expect(s3.calls()).toHaveLength(1);
    expect(Date.parse(session.expiresAt) - Date.now()).toBeLessThanOrEqual(
      PART_URL_TTL_SECONDS * 1000,
    );
  });

  it('keeps parts ≥ 8 MiB and at most 10,000 of them', () => {
    expect(partSize(1)).toBe(MIN_PART_BYTES);
    const fiveGiB = 5 * 1024 ** 3;
    expect(Math.ceil(fiveGiB / partSize(fiveGiB))).toBeLessThanOrEqual(10000);
    expect(partSize(fiveGiB) % (1024 * 1024)).toBe(0);
  });

  it('completes to staging, validates the object by streaming, copies it to the data prefix, deletes staging', async () => {
    stage(ROWS);
    s3.on(CopyObjectCommand).resolves({
      $metadata: { httpStatusCode: 200 },
      VersionId: '3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY',
      CopyObjectResult: { ETag: '"9b2cf535f27731c974343645a3985328"' },
    });
    const { engine } = makeEngine();
    const res = await engine.completeDatasetUpload(resources, {
      uploadId: UPLOAD_ID,
      key: KEY,
      parts,
      actor,
    });
    expect(
      s3.commandCalls(CompleteMultipartUploadCommand)[0].args[0].input,
    ).toEqual({
      Bucket: DATA_BUCKET,
      Key: KEY,
      UploadId: UPLOAD_ID,
      MultipartUpload: {
        Parts: [
          { PartNumber: 1, ETag: parts[1].etag },
          { PartNumber: 2, ETag: parts[0].etag },
        ],
      },
    });
    expect(s3.commandCalls(GetObjectCommand)[0].args[0].input).toEqual({
      Bucket: DATA_BUCKET,
      Key: KEY,
    });
    const copy = s3.commandCalls(CopyObjectCommand)[0].args[0].input;
    expect(copy).toEqual({
      Bucket: DATA_BUCKET,
      Key: expect.stringMatching(
        /^data\/\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z-big\.csv$/,
      ),
      CopySource: `${DATA_BUCKET}/${encodeURIComponent(KEY)}`,
      ContentType: 'text/csv',
      MetadataDirective: 'REPLACE',
      Metadata: { 'uploaded-by': 'user:default/guest', 'row-count': '2' },
    });
    expect(s3.commandCalls(DeleteObjectCommand)[0].args[0].input).toEqual({
      Bucket: DATA_BUCKET,
      Key: KEY,
    });
    expect(res.manifest).toMatchObject({
      uri: `s3://${DATA_BUCKET}/${copy.Key}`,
      rowCount: 2,
      files: [
        {
          key: copy.Key,
          size: ROWS.length,
          etag: '"9b2cf535f27731c974343645a3985328"',
          rowCount: 2,
        },
      ],
    });
  });

  it('rejects a bad staged file with row errors: nothing is copied, the staging object is deleted', async () => {
    stage(`${ROWS}X,0.4,abc,0.1,0.5,0.2,0.1,0.15,10\n`);
    const { engine } = makeEngine();
    const error = await engine
      .completeDatasetUpload(resources, {
        uploadId: UPLOAD_ID,
        key: KEY,
        parts,
        actor,
      })
      .catch(e => e);
    expect(error).toBeInstanceOf(DatasetValidationError);
    expect(error.message).toContain('row 3');
    expect(error.rowErrors.map((e: { column: string }) => e.column)).toEqual([
      'sex',
      'diameter',
    ]);
    expect(s3.commandCalls(CopyObjectCommand)).toHaveLength(0);
    expect(s3.commandCalls(DeleteObjectCommand)).toHaveLength(1);
  });

  it('still publishes when deleting the staged object fails (the lifecycle rule cleans up)', async () => {
    stage(ROWS);
    s3.on(DeleteObjectCommand).rejects(
      Object.assign(new Error('Service Unavailable'), {
        name: 'ServiceUnavailable',
        $metadata: { httpStatusCode: 503 },
      }),
    );
    s3.on(CopyObjectCommand).resolves({
      $metadata: { httpStatusCode: 200 },
      CopyObjectResult: { ETag: '"9b2cf535f27731c974343645a3985328"' },
    });
    const { engine, logger } = makeEngine();
    const res = await engine.completeDatasetUpload(resources, {
      uploadId: UPLOAD_ID,
      key: KEY,
      parts,
      actor,
    });
    expect(res.manifest.rowCount).toBe(2);
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining(`Could not delete staged upload ${KEY}`),
    );
  });

  it('refuses keys it did not hand out, before any S3 call', async () => {
    const { engine } = makeEngine();
    for (const key of ['data/x.csv', 'staging/../data/x.csv', 'staging/a/b']) {
      await expect(
        engine.completeDatasetUpload(resources, {
          uploadId: UPLOAD_ID,
          key,
          parts,
          actor,
        }),
      ).rejects.toMatchObject({
        name: 'InputError',
        message: expect.stringContaining('key:'),
      });
    }
    expect(s3.calls()).toHaveLength(0);
  });

  it('aborts a cancelled upload', async () => {
    s3.on(AbortMultipartUploadCommand).resolves({
      $metadata: { httpStatusCode: 204 },
    });
    const { engine } = makeEngine();
    await engine.abortDatasetUpload(resources, {
      uploadId: UPLOAD_ID,
      key: KEY,
      actor,
    });
    expect(
      s3.commandCalls(AbortMultipartUploadCommand)[0].args[0].input,
    ).toEqual({ Bucket: DATA_BUCKET, Key: KEY, UploadId: UPLOAD_ID });
  });
});

describe('direct-upload S3 requests and responses in these tests', () => {
  it("fit botocore's INPUT and OUTPUT shapes", () => {
    expect(recorder.items.length).toBeGreaterThan(10);
    expect(validateAwsShapes(recorder.items)).toEqual([]);
  });

  it('are all allowed by the IAM policy in docs/aws.md', () => {
    const actions = [...recorder.actions].sort();
    expect(actions).toEqual(
      expect.arrayContaining([
        's3:AbortMultipartUpload',
        's3:DeleteObject',
        's3:GetObject',
        's3:PutObject',
      ]),
    );
    expect(actions.filter(a => !docsPolicyAllows(a))).toEqual([]);
  });

  it('signs each part URL for its exact Content-Length', async () => {
    s3.on(CreateMultipartUploadCommand).resolves({
      $metadata: { httpStatusCode: 200 },
      UploadId: UPLOAD_ID,
    });
    const { engine } = makeEngine();
    const size = 2 * MIN_PART_BYTES + 1234;
    const session = await engine.createDatasetUpload(resources, {
      fileName: 'big.csv',
      sizeBytes: size,
      actor,
    });
    const signed = session.parts.map(p =>
      new URL(p.url).searchParams.get('X-Amz-SignedHeaders')?.split(';'),
    );
    // A PUT of any other size fails S3's signature check.
    for (const headers of signed) expect(headers).toContain('content-length');
    // Full parts, then the remainder: the URLs differ only by those.
    const sigs = session.parts.map(p =>
      new URL(p.url).searchParams.get('X-Amz-Signature'),
    );
    expect(new Set(sigs).size).toBe(3);
  });

  it('copies only the object it validated (CopySourceIfMatch on its ETag)', async () => {
    stage(ROWS);
    s3.on(GetObjectCommand).resolves({
      $metadata: { httpStatusCode: 200 },
      ETag: '"validated-etag"',
      Body: Readable.from([Buffer.from(ROWS)]) as any,
    });
    s3.on(CopyObjectCommand).resolves({
      $metadata: { httpStatusCode: 200 },
      CopyObjectResult: { ETag: '"validated-etag"' },
    });
    const { engine } = makeEngine();
    await engine.completeDatasetUpload(resources, {
      uploadId: UPLOAD_ID,
      key: KEY,
      parts,
      actor,
    });
    expect(s3.commandCalls(CopyObjectCommand)[0].args[0].input).toMatchObject({
      CopySourceIfMatch: '"validated-etag"',
    });
  });
});
