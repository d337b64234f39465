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

function s3Handler() {
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
      return {
        response: {
          statusCode: 200,
          reason: 'OK',
          headers: {
            etag: '"9b2cf535f27731c974343645a3985328"',
            'x-amz-request-id': '4442587FB7D0A2F9',
          },
          body: Readable.from([]),
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

describe('AwsEngine upload through the real S3 client', () => {
  it('sends the staged file as a stream with its length and SHA-256, once', async () => {
    const { handler, requests } = s3Handler();
    const engine = new AwsEngine({
      logger: mockServices.logger.mock(),
      defaultRegion: REGION,
      clients: async target =>
        buildClients(target, {
          credentials: testCredentials,
          requestHandler: handler,
        }),
    });
    const text = 'I,0.33,0.255,0.08,0.205,0.0895,0.0395,0.055,7\n'.repeat(
      20_000,
    );
    const bytes = Buffer.from(text);
    async function* body() {
      for (let i = 0; i < bytes.length; i += 16 * 1024)
        yield bytes.subarray(i, i + 16 * 1024);
    }

    const res = await engine.uploadDataset(resources, {
      fileName: 'wire.csv',
      content: Readable.from(body()),
      actor,
    });

    expect(requests).toHaveLength(1);
    const [put] = requests;
    expect(put.method).toBe('PUT');
    expect(put.path).toMatch(/wire\.csv$/);
    expect(put.bodyIsStream).toBe(true);
    expect(put.headers['content-length']).toBe(String(bytes.length));
    expect(put.headers['x-amz-checksum-sha256']).toBe(
      createHash('sha256').update(bytes).digest('base64'),
    );
    expect(put.body.equals(bytes)).toBe(true);
    expect(res.manifest.files[0].etag).toBe(
      '"9b2cf535f27731c974343645a3985328"',
    );
  });
});
