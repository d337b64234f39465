import {
  ListObjectVersionsCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import type { S3Event } from 'aws-lambda';
import { execFileSync } from 'child_process';
import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { createHandler, decodeKey, readConfig } from './index';
import { crc32, createZip } from './zip';

const env = {
  DATA_BUCKET: 'data-bucket',
  DATA_PREFIX: 'data/',
  MANIFEST_BUCKET: 'manifest-bucket',
  MANIFEST_ZIP_KEY: 'manifest/data-manifest.zip',
  MANIFEST_JSON_KEY: 'manifest/data-manifest.json',
};

function s3Event(bucket: string, ...keys: string[]): S3Event {
  return {
    Records: keys.map(key => ({
      eventName: 'ObjectCreated:Put',
      s3: { bucket: { name: bucket }, object: { key, size: 1 } },
    })),
  } as unknown as S3Event;
}

const s3Mock = mockClient(S3Client);

beforeEach(() => {
  s3Mock.reset();
  jest.spyOn(console, 'log').mockImplementation(() => {});
});

afterEach(() => jest.restoreAllMocks());

describe('manifest writer', () => {
  it('lists every current data object across pages and writes json + zip manifests', async () => {
    s3Mock
      .on(ListObjectVersionsCommand, {
        Bucket: 'data-bucket',
        Prefix: 'data/',
        KeyMarker: undefined,
      })
      .resolves({
        IsTruncated: true,
        NextKeyMarker: 'data/b.csv',
        NextVersionIdMarker: 'v-b1',
        Versions: [
          { Key: 'data/', Size: 0, IsLatest: true, VersionId: 'dir' },
          {
            Key: 'data/a.csv',
            Size: 100,
            ETag: '"etag-a"',
            IsLatest: true,
            VersionId: 'v-a2',
            LastModified: new Date('2026-01-02T00:00:00Z'),
          },
          {
            Key: 'data/a.csv',
            Size: 90,
            ETag: '"etag-a-old"',
            IsLatest: false,
            VersionId: 'v-a1',
          },
        ],
      });
    s3Mock
      .on(ListObjectVersionsCommand, {
        Bucket: 'data-bucket',
        Prefix: 'data/',
        KeyMarker: 'data/b.csv',
        VersionIdMarker: 'v-b1',
      })
      .resolves({
        IsTruncated: false,
        Versions: [
          {
            Key: 'data/abalone.data',
            Size: 191873,
            ETag: '"etag-c"',
            IsLatest: true,
            VersionId: 'v-c1',
          },
        ],
      });
    s3Mock.on(PutObjectCommand).resolves({});

    const manifest = await createHandler(
      new S3Client({}),
      env,
    )(s3Event('data-bucket', 'data/new+file.csv'));

    expect(manifest).toBeDefined();
    expect(manifest!.files).toEqual([
      {
        key: 'data/a.csv',
        size: 100,
        etag: 'etag-a',
        versionId: 'v-a2',
        lastModified: '2026-01-02T00:00:00.000Z',
      },
      {
        key: 'data/abalone.data',
        size: 191873,
        etag: 'etag-c',
        versionId: 'v-c1',
        lastModified: undefined,
      },
    ]);
    expect(manifest!.triggeredBy).toEqual(['data/new file.csv']);
    expect(manifest!.inputDataUrl).toBe('s3://data-bucket/data/');
    expect(manifest!.uri).toBe(
      's3://manifest-bucket/manifest/data-manifest.json',
    );
    expect(manifest!.manifestId).toMatch(/^manifest-\d{8}T\d{9}Z$/);

    const puts = s3Mock.commandCalls(PutObjectCommand);
    expect(puts).toHaveLength(2);
    // JSON first, zip last: the zip starts the release pipeline.
    expect(puts[0].args[0].input).toMatchObject({
      Bucket: 'manifest-bucket',
      Key: 'manifest/data-manifest.json',
      ContentType: 'application/json',
    });
    expect(JSON.parse(String(puts[0].args[0].input.Body))).toEqual(
      JSON.parse(JSON.stringify(manifest)),
    );
    expect(puts[1].args[0].input).toMatchObject({
      Bucket: 'manifest-bucket',
      Key: 'manifest/data-manifest.zip',
      ContentType: 'application/zip',
    });
    const zip = puts[1].args[0].input.Body as Buffer;
    expect(zip.readUInt32LE(0)).toBe(0x04034b50);
    expect(zip.includes(Buffer.from('manifest.json'))).toBe(true);
  });

  it('ignores events for other buckets or outside the data prefix without touching S3', async () => {
    const result = await createHandler(
      new S3Client({}),
      env,
    )({
      Records: [
        ...s3Event('other-bucket', 'data/x.csv').Records,
        ...s3Event('data-bucket', 'tmp/x.csv', 'data/').Records,
      ],
    });
    expect(result).toBeUndefined();
    expect(s3Mock.calls()).toHaveLength(0);
  });

  it('propagates S3 errors so the invocation is retried', async () => {
    s3Mock.on(ListObjectVersionsCommand).rejects(new Error('AccessDenied'));
    await expect(
      createHandler(
        new S3Client({}),
        env,
      )(s3Event('data-bucket', 'data/a.csv')),
    ).rejects.toThrow('AccessDenied');
    expect(s3Mock.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  it('names the missing environment variable', () => {
    expect(() => readConfig({ DATA_BUCKET: 'b' })).toThrow(
      'environment variable MANIFEST_BUCKET is required',
    );
    expect(readConfig(env).dataPrefix).toBe('data/');
  });

  it('decodes S3 event keys', () => {
    expect(decodeKey('data/my+file%281%29.csv')).toBe('data/my file(1).csv');
  });
});

describe('zip writer', () => {
  it('computes the standard CRC-32', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
  });

  const python = ['/usr/bin/python3', 'python3'].find(p => {
    try {
      execFileSync(p, ['-c', 'import zipfile'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  });

  (python ? it : it.skip)(
    'writes archives that a standard unzip reads back',
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'zip-'));
      const file = join(dir, 'm.zip');
      const text = JSON.stringify({ hello: 'wörld', n: [1, 2, 3] });
      writeFileSync(
        file,
        createZip([
          { name: 'manifest.json', data: Buffer.from(text) },
          { name: 'b/empty.txt', data: Buffer.alloc(0) },
        ]),
      );
      const out = execFileSync(python!, [
        '-c',
        'import sys, zipfile, json; z = zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None; print(json.dumps({n: z.read(n).decode() for n in z.namelist()}))',
        file,
      ]).toString();
      expect(JSON.parse(out)).toEqual({
        'manifest.json': text,
        'b/empty.txt': '',
      });
    },
  );
});
