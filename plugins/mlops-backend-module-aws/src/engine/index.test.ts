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
});
