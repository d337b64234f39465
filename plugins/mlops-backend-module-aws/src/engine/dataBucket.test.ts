import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { createHash } from 'crypto';
import { mkdtemp, readdir, rm } from 'fs/promises';
import os from 'os';
import path from 'path';
import { Readable } from 'stream';
import { DatasetValidationError } from '@mlops-portal/plugin-mlops-node';
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

const s3 = mockClient(S3Client);
const recorder = createCallRecorder({ s3 });

const GOOD_ROW = 'M,0.455,0.365,0.095,0.514,0.2245,0.101,0.15,15\n';

/** What the mocked S3 read from each PutObject's Body, chunk by chunk. */
interface Received {
  bodyWasStream: boolean;
  chunks: Buffer[];
}
let received: Received[];
let stagingDir: string;

beforeEach(async () => {
  s3.reset();
  received = [];
  stagingDir = await mkdtemp(path.join(os.tmpdir(), 'aws-staging-test-'));
  // S3 reads the body during the call, as the real client would send it.
  s3.on(PutObjectCommand).callsFake(async input => {
    const got: Received = {
      bodyWasStream: input.Body instanceof Readable,
      chunks: [],
    };
    for await (const chunk of input.Body as Readable) got.chunks.push(chunk);
    received.push(got);
    return {
      $metadata: { httpStatusCode: 200 },
      ETag: '"9b2cf535f27731c974343645a3985328"',
    };
  });
});

afterEach(async () => {
  await recorder.collect(expect.getState().currentTestName);
  await rm(stagingDir, { recursive: true, force: true });
});

function engine() {
  return makeEngine({ uploadStagingDir: stagingDir }).engine;
}

/** `text` as a stream of `size`-byte chunks (rows split across chunks). */
function chunked(text: string, size: number) {
  const bytes = Buffer.from(text);
  const source = { stream: undefined as unknown as Readable, pulled: 0 };
  async function* chunks() {
    for (let i = 0; i < bytes.length; i += size) {
      source.pulled++;
      yield bytes.subarray(i, i + size);
    }
  }
  source.stream = Readable.from(chunks());
  return source;
}

const sha256 = (data: string | Buffer, encoding: 'hex' | 'base64') =>
  createHash('sha256').update(data).digest(encoding);

describe('DataBucket streamed upload (POST /datasets)', () => {
  it('puts exactly the streamed bytes once, with their SHA-256, and removes the staged copy', async () => {
    const text = GOOD_ROW.repeat(300);
    const res = await engine().uploadDataset(resources, {
      fileName: 'streamed.csv',
      content: chunked(text, 100).stream,
      sizeBytes: text.length,
      actor,
    });

    const calls = s3.commandCalls(PutObjectCommand);
    expect(calls).toHaveLength(1);
    const input = calls[0].args[0].input;
    expect(input).toMatchObject({
      Bucket: DATA_BUCKET,
      ContentLength: text.length,
      ContentType: 'text/csv',
      ChecksumSHA256: sha256(text, 'base64'),
      Metadata: { 'uploaded-by': actor.ref, 'row-count': '300' },
    });
    expect(Buffer.concat(received[0].chunks).toString()).toBe(text);
    expect(res.manifest.files[0]).toMatchObject({
      key: input.Key,
      size: text.length,
      sha256: sha256(text, 'hex'),
      rowCount: 300,
    });
    expect(await readdir(stagingDir)).toEqual([]);
  });

  it('streams a few MB from the staged file: the Body is a file stream read in chunks, never the whole file', async () => {
    const text = GOOD_ROW.repeat(80_000); // ~3.8 MB
    const source = chunked(text, 64 * 1024);

    await engine().uploadDataset(resources, {
      fileName: 'big.csv',
      content: source.stream,
      actor,
    });

    expect(source.pulled).toBe(Math.ceil(text.length / (64 * 1024)));
    const [put] = received;
    expect(put.bodyWasStream).toBe(true);
    expect(
      Buffer.isBuffer(s3.commandCalls(PutObjectCommand)[0].args[0].input.Body),
    ).toBe(false);
    // fs.ReadStream's 64 KiB reads: S3 got the file piece by piece.
    expect(put.chunks.length).toBeGreaterThan(50);
    expect(Math.max(...put.chunks.map(c => c.length))).toBeLessThanOrEqual(
      64 * 1024,
    );
    const sent = Buffer.concat(put.chunks);
    expect(sent.length).toBe(Buffer.byteLength(text));
    expect(sha256(sent, 'base64')).toBe(
      s3.commandCalls(PutObjectCommand)[0].args[0].input.ChecksumSHA256,
    );
  });

  it('a stream cut off part-way fails with that error, sends nothing and leaves no temp file', async () => {
    const cutOff = Object.assign(new Error('request entity too large'), {
      name: 'PayloadTooLargeError',
    });
    async function* body() {
      yield Buffer.from(GOOD_ROW.repeat(2000));
      yield Buffer.from(GOOD_ROW.repeat(2000));
      throw cutOff;
    }
    const error = await engine()
      .uploadDataset(resources, {
        fileName: 'cut.csv',
        content: Readable.from(body()),
        actor,
      })
      .catch(e => e);
    expect(error).toBe(cutOff);
    expect(s3.calls()).toHaveLength(0);
    expect(await readdir(stagingDir)).toEqual([]);
  });

  it('a bad row in a later chunk is a DatasetValidationError; nothing is sent, nothing is left', async () => {
    const text = `${GOOD_ROW.repeat(
      1000,
    )}F,0.53,0.42,0.135,0.677,0.2565,0.1415,0.21,many\n`;
    const error = await engine()
      .uploadDataset(resources, {
        fileName: 'bad.csv',
        content: chunked(text, 4096).stream,
        actor,
      })
      .catch(e => e);
    expect(error).toBeInstanceOf(DatasetValidationError);
    expect(error.rowErrors[0]).toMatchObject({ row: 1001, column: 'rings' });
    expect(s3.calls()).toHaveLength(0);
    expect(await readdir(stagingDir)).toEqual([]);
  });

  it('refuses a body whose length differs from the declared size', async () => {
    const text = GOOD_ROW.repeat(10);
    await expect(
      engine().uploadDataset(resources, {
        fileName: 'short.csv',
        content: chunked(text, 64).stream,
        sizeBytes: text.length + 1,
        actor,
      }),
    ).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringContaining(`the body had ${text.length} bytes`),
    });
    expect(s3.calls()).toHaveLength(0);
    expect(await readdir(stagingDir)).toEqual([]);
  });

  it('removes the staged copy when S3 refuses the object', async () => {
    s3.on(PutObjectCommand).rejects(
      Object.assign(new Error('Access Denied'), {
        name: 'AccessDenied',
        $fault: 'client',
        $metadata: { httpStatusCode: 403 },
      }),
    );
    await expect(
      engine().uploadDataset(resources, {
        fileName: 'denied.csv',
        content: Buffer.from(GOOD_ROW.repeat(5)),
        actor,
      }),
    ).rejects.toMatchObject({ name: 'NotAllowedError' });
    expect(await readdir(stagingDir)).toEqual([]);
  });
});

describe('DataBucket requests in these tests', () => {
  it("fit botocore's shapes and the docs IAM policy", () => {
    expect(recorder.items.length).toBeGreaterThan(3);
    expect(validateAwsShapes(recorder.items)).toEqual([]);
    expect([...recorder.actions].filter(a => !docsPolicyAllows(a))).toEqual([]);
  });
});
