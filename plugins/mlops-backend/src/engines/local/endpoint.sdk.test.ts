/**
 * The local endpoint speaks SageMaker Runtime's error protocol: the real
 * AWS SDK client, pointed at it, reads the same named errors (not
 * UnknownError) as from SageMaker, so one client works on both engines.
 */
import {
  InvokeEndpointCommand,
  ModelError,
  SageMakerRuntimeClient,
  ServiceUnavailable,
  ValidationError,
} from '@aws-sdk/client-sagemaker-runtime';
import {
  createEndpointApp,
  startEndpointServer,
  type LoadedModel,
} from './endpoint';
import {
  ABALONE_LIKE_SIGNATURE,
  fixedValueModel,
} from './monitoring/__testUtils__/trainedSystem';

// The protocol is under test, not the model: a model that answers 9 rings.
const model = {
  deploymentId: 'd-1',
  modelPackageGroupName: 'AbaloneModelPackageGroup',
  version: 1,
  modelPackageArn: 'local:model-package/AbaloneModelPackageGroup/1',
  model: fixedValueModel(ABALONE_LIKE_SIGNATURE, 9),
} as LoadedModel;

describe('local endpoint with the AWS SDK SageMaker Runtime client', () => {
  let server: { url: string; close(): Promise<void> };
  let deployed: LoadedModel | undefined = model;
  let client: SageMakerRuntimeClient;

  beforeAll(async () => {
    server = await startEndpointServer(
      createEndpointApp({
        modelFor: () => deployed,
        hasEndpoint: name => name === 'abalone-endpoint',
      }),
      '127.0.0.1',
      0,
    );
    client = new SageMakerRuntimeClient({
      region: 'eu-west-1',
      endpoint: server.url,
      credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local' },
      maxAttempts: 1,
    });
  });
  afterAll(async () => {
    client.destroy();
    await server.close();
  });
  afterEach(() => {
    deployed = model;
  });

  const invoke = (body: string, contentType = 'text/csv') =>
    client.send(
      new InvokeEndpointCommand({
        EndpointName: 'abalone-endpoint',
        ContentType: contentType,
        Accept: 'text/csv',
        Body: Buffer.from(body),
      }),
    );

  it('predicts (the SDK path /endpoints/:name/invocations)', async () => {
    const res = await invoke('M,0.455,0.365,0.095,0.514,0.2245,0.101,0.15\n');
    expect(Buffer.from(res.Body!).toString('utf8').trim()).toBe('9');
  });

  it('answers a bad row with ValidationError naming the row and column', async () => {
    const error = await invoke(
      'M,0.455,abc,0.095,0.514,0.2245,0.101,0.15\n',
    ).catch(e => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(error.message).toMatch(/row 1, column diameter/);
  });

  it('answers an unknown endpoint with ValidationError ("not found")', async () => {
    const error = await client
      .send(
        new InvokeEndpointCommand({
          EndpointName: 'nope',
          ContentType: 'text/csv',
          Body: Buffer.from('M,0.455,0.365,0.095,0.514,0.2245,0.101,0.15\n'),
        }),
      )
      .catch(e => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toMatch(/endpoint nope not found/);
  });

  it('answers an unsupported content type with ModelError carrying the original status', async () => {
    const error = await invoke('<x/>', 'application/xml').catch(e => e);
    expect(error).toBeInstanceOf(ModelError);
    expect(error.$metadata.httpStatusCode).toBe(424);
    expect(error.OriginalStatusCode).toBe(415);
    expect(error.OriginalMessage).toMatch(/text\/csv or application\/json/);
  });

  it('answers "nothing deployed" with ServiceUnavailable', async () => {
    deployed = undefined;
    const error = await invoke(
      'M,0.455,0.365,0.095,0.514,0.2245,0.101,0.15\n',
    ).catch(e => e);
    expect(error).toBeInstanceOf(ServiceUnavailable);
    expect(error.$metadata.httpStatusCode).toBe(503);
  });
});
