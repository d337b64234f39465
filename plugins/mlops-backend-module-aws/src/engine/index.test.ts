import os from 'os';
import path from 'path';
import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { createAwsEngine } from './index';

describe('createAwsEngine', () => {
  const logger = mockServices.logger.mock();

  it('builds the engine from mlops.aws', async () => {
    const engine = await createAwsEngine({
      logger,
      config: new ConfigReader({
        mlops: {
          engine: 'aws',
          aws: {
            region: 'eu-west-1',
            listCacheTtlSeconds: 5,
            dataBucket: 's3://abalone-data/data/',
            uploadStagingDir: os.tmpdir(),
          },
        },
      }),
    });
    expect(engine.type).toBe('aws');
    // CloudWatch traffic, Model Monitor drift and evaluation plots (monitoring/)
    expect(typeof engine.getMonitoring).toBe('function');
    expect(typeof engine.getEvaluationPlots).toBe('function');
  });

  it('names the missing or bad setting', async () => {
    const previous = process.env.AWS_REGION;
    delete process.env.AWS_REGION;
    try {
      await expect(
        createAwsEngine({
          logger,
          config: new ConfigReader({ mlops: { engine: 'aws' } }),
        }),
      ).rejects.toThrow('mlops.aws.region');
    } finally {
      if (previous !== undefined) process.env.AWS_REGION = previous;
    }
    await expect(
      createAwsEngine({
        logger,
        config: new ConfigReader({
          mlops: { aws: { region: 'eu-west-1', dataBucket: 'abalone-data' } },
        }),
      }),
    ).rejects.toThrow('mlops.aws.dataBucket');
    await expect(
      createAwsEngine({
        logger,
        config: new ConfigReader({
          mlops: { aws: { region: 'eu-west-1', listCacheTtlSeconds: -1 } },
        }),
      }),
    ).rejects.toThrow('listCacheTtlSeconds');
    await expect(
      createAwsEngine({
        logger,
        config: new ConfigReader({
          mlops: {
            aws: {
              region: 'eu-west-1',
              uploadStagingDir: path.join(os.tmpdir(), 'no-such-dir-mlops'),
            },
          },
        }),
      }),
    ).rejects.toThrow(
      'mlops.aws.uploadStagingDir must be a writable directory',
    );
  });

  it('refuses annotations naming a region, account or data bucket not allowed', async () => {
    const engine = await createAwsEngine({
      logger,
      config: new ConfigReader({
        mlops: {
          engine: 'aws',
          aws: {
            region: 'eu-west-1',
            accountId: '111111111111',
            dataBucket: 's3://abalone-data/data/',
          },
        },
      }),
    });
    const resources = {
      entityRef: 'component:default/twin',
      pipelineName: 'p',
      modelPackageGroupName: 'g',
      endpointName: 'e',
    };
    const actor = { ref: 'user:default/guest' };
    await expect(
      engine.listExecutions({ ...resources, region: 'us-east-1' }, {}),
    ).rejects.toMatchObject({
      name: 'NotAllowedError',
      message: expect.stringContaining('mlops.io/aws-region: us-east-1'),
    });
    await expect(
      engine.listExecutions({ ...resources, awsAccountId: '999999999999' }, {}),
    ).rejects.toMatchObject({
      name: 'NotAllowedError',
      message: expect.stringContaining('999999999999'),
    });
    await expect(
      engine.uploadDataset(
        { ...resources, dataBucketUri: 's3://someone-elses-bucket/in/' },
        { fileName: 'x.csv', content: Buffer.from('x'), actor },
      ),
    ).rejects.toMatchObject({
      name: 'NotAllowedError',
      message: expect.stringContaining('s3://someone-elses-bucket'),
    });
    await expect(
      engine.createDatasetUpload!(
        { ...resources, dataBucketUri: 's3://someone-elses-bucket/in/' },
        { fileName: 'x.csv', sizeBytes: 10, actor },
      ),
    ).rejects.toMatchObject({ name: 'NotAllowedError' });
  });
});
