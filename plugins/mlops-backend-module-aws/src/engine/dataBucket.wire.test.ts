/**
 * aws-sdk-client-mock stubs `send`, so it cannot show what the real S3
 * client does with a file stream as Body. This drives the real client
 * through its middleware stack (serialisation, checksums, signing) with an
 * HTTP handler that reads the request the way S3 would.
 */
import { mockServices } from '@backstage/backend-test-utils';
import { createHash } from 'crypto';
import { Readable } from 'stream';
import { AwsEngine } from './AwsEngine';
import { buildClients } from './clients';
import { actor, resources, testCredentials } from './__testUtils__/helpers';
import { REGION } from './__fixtures__/sagemaker';

interface WireRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  bodyIsStream: boolean;
  body: Buffer;
}

/** S3's REST-XML answers: an error document, or an empty 200 with the ETag. */
interface WireResponse {
  status: number;
  error?: { code: string; message: string };
}
const OK: WireResponse = { status: 200 };

function s3Handler(responses: WireResponse[] = [OK]) {
  const requests: WireRequest[] = [];
  const handler = {
    metadata: { handlerProtocol: 'http/1.1' },
    async handle(request: {
      method: string;
      path: string;
      headers: Record<string, string>;
      body: unknown;
    }) {
      const chunks: Buffer[] = [];
      if (request.body instanceof Readable) {
        for await (const chunk of request.body) chunks.push(chunk);
      }
      requests.push({
        method: request.method,
        path: request.path,
        headers: Object.fromEntries(
          Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v]),
        ),
        bodyIsStream: request.body instanceof Readable,
        body: Buffer.concat(chunks),
      });
      const next = responses.length > 1 ? responses.shift()! : responses[0];
      const xml = next.error
        ? `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${next.error.code}</Code><Message>${next.error.message}</Message><RequestId>4442587FB7D0A2F9</RequestId></Error>`
        : '';
      return {
        response: {
          statusCode: next.status,
          reason: next.error ? next.error.code : 'OK',
          headers: {
            ...(next.error
              ? { 'content-type': 'application/xml' }
              : { etag: '"9b2cf535f27731c974343645a3985328"' }),
            'x-amz-request-id': '4442587FB7D0A2F9',
          },
          body: Readable.from(xml ? [Buffer.from(xml)] : []),
        },
      };
    },
    updateHttpClientConfig() {},
    httpHandlerConfigs() {
      return {};
    },
    destroy() {},
  };
  return { handler, requests };
}

function engineOver(handler: ReturnType<typeof s3Handler>['handler']) {
  return new AwsEngine({
    logger: mockServices.logger.mock(),
    defaultRegion: REGION,
    clients: async target =>
      buildClients(target, {
        credentials: testCredentials,
        requestHandler: handler,
      }),
  });
}

const bytes = Buffer.from(
  'I,0.33,0.255,0.08,0.205,0.0895,0.0395,0.055,7\n'.repeat(20_000),
);
const checksum = createHash('sha256').update(bytes).digest('base64');

/** The CSV as a request body would arrive: 16 KiB chunks. */
function upload(fileName: string) {
  async function* body() {
    for (let i = 0; i < bytes.length; i += 16 * 1024)
      yield bytes.subarray(i, i + 16 * 1024);
  }
  return { fileName, content: Readable.from(body()), actor };
}

describe('AwsEngine upload through the real S3 client', () => {
  it('sends the staged file as a stream with its length and SHA-256, once', async () => {
    const { handler, requests } = s3Handler();
    const res = await engineOver(handler).uploadDataset(
      resources,
      upload('wire.csv'),
    );

    expect(requests).toHaveLength(1);
    const [put] = requests;
    expect(put.method).toBe('PUT');
    expect(put.path).toMatch(/wire\.csv$/);
    expect(put.bodyIsStream).toBe(true);
    expect(put.headers['content-length']).toBe(String(bytes.length));
    expect(put.headers['x-amz-checksum-sha256']).toBe(checksum);
    expect(put.body.equals(bytes)).toBe(true);
    expect(res.manifest.files[0].etag).toBe(
      '"9b2cf535f27731c974343645a3985328"',
    );
  });

  it('sends the staged file again after a SlowDown (the SDK does not retry a stream body)', async () => {
    const { handler, requests } = s3Handler([
      {
        status: 503,
        error: {
          code: 'SlowDown',
          message: 'Please reduce your request rate.',
        },
      },
      OK,
    ]);
    const res = await engineOver(handler).uploadDataset(
      resources,
      upload('retried.csv'),
    );
    expect(requests).toHaveLength(2);
    for (const put of requests) {
      expect(put.body.equals(bytes)).toBe(true);
      expect(put.headers['x-amz-checksum-sha256']).toBe(checksum);
    }
    expect(requests[1].path).toBe(requests[0].path);
    expect(res.manifest.files[0].sha256).toBe(
      createHash('sha256').update(bytes).digest('hex'),
    );
  });

  it('does not repeat a request S3 refused for its content', async () => {
    const { handler, requests } = s3Handler([
      {
        status: 400,
        error: {
          code: 'BadDigest',
          message:
            'The SHA256 you specified did not match the calculated checksum.',
        },
      },
    ]);
    await expect(
      engineOver(handler).uploadDataset(resources, upload('refused.csv')),
    ).rejects.toMatchObject({
      message: 'AWS s3:PutObject failed (BadDigest)',
    });
    expect(requests).toHaveLength(1);
  });
});
