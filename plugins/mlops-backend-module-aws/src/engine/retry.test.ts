/**
 * Throttling is retried by the SDK's own retry strategy, which
 * aws-sdk-client-mock bypasses (it stubs `send`). So this test drives the
 * real SageMaker client through its middleware stack with an HTTP handler
 * that answers with hand-written wire responses (the shapes SageMaker sends):
 * a throttle, then success.
 */
import { mockServices } from '@backstage/backend-test-utils';
import { AwsEngine } from './AwsEngine';
import { buildClients } from './clients';
import { testCredentials, resources } from './__testUtils__/helpers';
import { EXEC_SUCCEEDED, REGION } from './__fixtures__/sagemaker';

interface WireResponse {
  status: number;
  body: unknown;
}

function fakeHandler(responses: Record<string, WireResponse[]>) {
  const calls: string[] = [];
  const handler = {
    metadata: { handlerProtocol: 'http/1.1' },
    async handle(request: { headers: Record<string, string> }) {
      // JSON 1.1 protocol: the operation is named by the X-Amz-Target header.
      const target =
        request.headers['x-amz-target'] ?? request.headers['X-Amz-Target'];
      const operation = String(target).split('.').pop()!;
      calls.push(operation);
      const queue = responses[operation] ?? [];
      const next = queue.length > 1 ? queue.shift()! : queue[0];
      if (!next) throw new Error(`unexpected call ${operation}`);
      return {
        response: {
          statusCode: next.status,
          reason: next.status === 200 ? 'OK' : 'Bad Request',
          headers: {
            'content-type': 'application/x-amz-json-1.1',
            'x-amzn-requestid': '0b6c1f0e-58c2-4e4c-9a39-2f0d2a3f6c11',
          },
          body: new TextEncoder().encode(JSON.stringify(next.body)),
        },
      };
    },
    updateHttpClientConfig() {},
    httpHandlerConfigs() {
      return {};
    },
    destroy() {},
  };
  return { handler, calls };
}

describe('AwsEngine retries', () => {
  it('retries a ThrottlingException and then succeeds (SDK retry strategy)', async () => {
    const { handler, calls } = fakeHandler({
      ListPipelineExecutions: [
        {
          status: 400,
          body: { __type: 'ThrottlingException', message: 'Rate exceeded' },
        },
        {
          status: 200,
          body: {
            // On the wire SageMaker sends timestamps as epoch seconds.
            PipelineExecutionSummaries: [
              {
                PipelineExecutionArn: EXEC_SUCCEEDED,
                PipelineExecutionStatus: 'Succeeded',
                StartTime: 1795529465.004,
                PipelineExecutionDisplayName: 'execution-1763993465004',
              },
            ],
          },
        },
      ],
      ListModelPackages: [
        { status: 200, body: { ModelPackageSummaryList: [] } },
      ],
      DescribeEndpoint: [
        {
          status: 400,
          body: {
            __type: 'com.amazon.coral.validate#ValidationException',
            message: 'Could not find endpoint "abalone-endpoint".',
          },
        },
      ],
    });
    const engine = new AwsEngine({
      logger: mockServices.logger.mock(),
      defaultRegion: REGION,
      clients: async target =>
        buildClients(target, {
          credentials: testCredentials,
          requestHandler: handler,
        }),
    });

    const res = await engine.listExecutions(resources);

    expect(calls.filter(c => c === 'ListPipelineExecutions')).toHaveLength(2);
    expect(res.items).toEqual([
      expect.objectContaining({
        executionId: EXEC_SUCCEEDED,
        status: 'Succeeded',
        createdAt: '2026-11-24T14:11:05.004Z',
      }),
    ]);
  });

  it('gives up after maxAttempts and reports the throttle as 503-style', async () => {
    const { handler, calls } = fakeHandler({
      ListPipelineExecutions: [
        {
          status: 400,
          body: { __type: 'ThrottlingException', message: 'Rate exceeded' },
        },
      ],
    });
    const engine = new AwsEngine({
      logger: mockServices.logger.mock(),
      defaultRegion: REGION,
      clients: async target =>
        buildClients(target, {
          credentials: testCredentials,
          requestHandler: handler,
          maxAttempts: 2,
        }),
    });
    await expect(engine.listExecutions(resources)).rejects.toMatchObject({
      name: 'ServiceUnavailableError',
    });
    expect(calls).toEqual(['ListPipelineExecutions', 'ListPipelineExecutions']);
  });
});
