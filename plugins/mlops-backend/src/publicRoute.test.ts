import type { Entity } from '@backstage/catalog-model';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import type { MlopsEngine } from '@mlops-portal/plugin-mlops-node';
import { createTestEngineModule } from '@mlops-portal/plugin-mlops-node/testUtils';
import { ConfigReader } from '@backstage/config';
import path from 'path';
import request from 'supertest';
import { mlopsPlugin } from './plugin';
import { abaloneEntity } from './__testUtils__/fixtures';
import { tempDataDir } from './engines/local/__testUtils__/localEngine';
import { DataLayout } from './engines/local/dataLayout';
import { LocalMonitoring } from './engines/local/monitoring/localMonitoring';
import { readMonitoringSettings } from './engines/local/monitoring/monitoringSettings';
import { ABALONE_RECORD as EXAMPLE_ABALONE } from './__testUtils__/demoSystems';
import { demoSignature, servingEngineParts } from './__testUtils__/signatures';

const databases = TestDatabases.create({
  ids: ['SQLITE_3'],
  disableDocker: true,
});

const component = (
  name: string,
  endpoint: string,
  extra: Record<string, string> = {},
): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name,
    namespace: 'default',
    annotations: {
      'mlops.io/pipeline': `${name}-pipeline`,
      'mlops.io/model-package-group': `${name}-group`,
      'mlops.io/endpoint': endpoint,
      ...extra,
    },
  },
  spec: { type: 'service', lifecycle: 'production', owner: 'someone' },
});

// Not opted in; opted in but refused by the policy; a twin of the opted-in
// abalone endpoint (listed first, opting in itself).
const quiet = component('quiet', 'quiet-endpoint');
const guarded = component('guarded', 'guarded-endpoint', {
  'mlops.io/public-predict': 'true',
});
const twin: Entity = {
  ...abaloneEntity,
  metadata: { ...abaloneEntity.metadata, name: 'abalone-twin' },
};

const PUBLIC = '/api/mlops/v1/public/endpoints';

async function start(publicApi: Record<string, unknown>) {
  const calls: Array<{ entityRef: string; source?: string }> = [];
  // principal types the policy was asked with
  const principals: Array<string | undefined> = [];
  const engine = {
    type: 'fake',
    ...servingEngineParts(demoSignature('abalone')),
    predict: jest.fn(async (r, instances, options) => {
      calls.push({ entityRef: r.entityRef, source: options?.source });
      return {
        predictions: instances.map(() => ({ rings: 9, age: 10.5 })),
        modelVersion: 1,
        endpointName: r.endpointName,
      };
    }),
  } as unknown as MlopsEngine;
  const backend = await startTestBackend({
    features: [
      mlopsPlugin,
      createTestEngineModule({ type: 'fake', engine: () => engine }),
      mockServices.database.factory({
        knex: await databases.init('SQLITE_3'),
      }),
      // The real owners have used their system: the endpoint name is theirs.
      catalogServiceMock.factory({
        entities: [twin, abaloneEntity, quiet, guarded],
      }),
      mockServices.permissions.mock({
        authorize: async (requests, options) => {
          principals.push(
            (options?.credentials.principal as { type?: string })?.type,
          );
          return requests.map(r => ({
            result:
              (r as any).resourceRef === 'component:default/guarded'
                ? AuthorizeResult.DENY
                : AuthorizeResult.ALLOW,
          }));
        },
      }).factory,
      mockServices.rootConfig.factory({
        data: {
          mlops: {
            engine: 'fake',
            resourceBindings: [
              {
                entityRef: 'component:default/abalone-age-predictor',
                endpoint: 'abalone-endpoint',
              },
            ],
            publicApi: { enabled: true, ...publicApi },
          },
        },
      }),
    ],
  });
  return {
    server: backend.server,
    calls,
    principals,
    stop: () => backend.stop(),
  };
}

describe('public predict route', () => {
  it('serves only opted-in endpoints of their owning entity, one 404 for the rest, tagged public', async () => {
    const { server, calls, principals, stop } = await start({});
    try {
      const ok = await request(server)
        .post(`${PUBLIC}/abalone-endpoint/predict`)
        .set('Authorization', mockCredentials.none.header())
        .send({ instances: [EXAMPLE_ABALONE] })
        .expect(200);
      expect(ok.body.predictions).toHaveLength(1);
      // The owner's entity, not the twin listed first; tagged for monitoring.
      expect(calls).toEqual([
        {
          entityRef: 'component:default/abalone-age-predictor',
          source: 'public',
        },
      ]);

      // Unknown, not opted in, refused by the policy: the same answer.
      const answers = [];
      for (const name of [
        'nope-endpoint',
        'quiet-endpoint',
        'guarded-endpoint',
      ]) {
        const res = await request(server)
          .post(`${PUBLIC}/${name}/predict`)
          .set('Authorization', mockCredentials.none.header())
          .send({ instances: [EXAMPLE_ABALONE] })
          .expect(404);
        answers.push(JSON.stringify(res.body.error).replace(name, '<name>'));
      }
      expect(new Set(answers).size).toBe(1);
      expect(answers[0]).toContain('No public endpoint <name>');
      expect(calls).toHaveLength(1);
      // Anonymous callers reach the policy as a request with no user (the
      // plugin's service identity): the permission backend refuses 'none'.
      expect(principals.length).toBeGreaterThan(0);
      expect(principals).toEqual(principals.map(() => 'service'));
    } finally {
      await stop();
    }
  });

  it('counts the rate limit per client behind a trusted proxy', async () => {
    const limit = { windowSeconds: 60, max: 2 };
    const send = (server: any, client: string) =>
      request(server)
        .post(`${PUBLIC}/abalone-endpoint/predict`)
        .set('X-Forwarded-For', `${client}, 10.0.0.1`)
        .send({ instances: [EXAMPLE_ABALONE] });

    // One proxy in front (it appended 10.0.0.1's view: the right-most entry).
    const proxied = await start({ rateLimit: limit, trustProxyHops: 1 });
    try {
      expect((await send(proxied.server, '1.1.1.1')).status).toBe(200);
      expect((await send(proxied.server, '1.1.1.1')).status).toBe(200);
      expect((await send(proxied.server, '1.1.1.1')).status).toBe(429);
      // Another client behind the same proxy has its own limit…
      const other = await request(proxied.server)
        .post(`${PUBLIC}/abalone-endpoint/predict`)
        .set('X-Forwarded-For', '2.2.2.2')
        .send({ instances: [EXAMPLE_ABALONE] });
      expect(other.status).toBe(200);
    } finally {
      await proxied.stop();
    }

    // Without trusted proxies the header is ignored (it could be forged).
    const direct = await start({ rateLimit: limit });
    try {
      expect((await send(direct.server, '3.3.3.3')).status).toBe(200);
      expect((await send(direct.server, '4.4.4.4')).status).toBe(200);
      expect((await send(direct.server, '5.5.5.5')).status).toBe(429);
    } finally {
      await direct.stop();
    }
  });
});

describe('public traffic in local monitoring', () => {
  it('tags captured rows of the public route apart (Data Capture customAttributes)', async () => {
    const knex = await databases.init('SQLITE_3');
    await knex.migrate.latest({
      directory: path.resolve(__dirname, '../migrations/local'),
      tableName: 'mlops_local_knex_migrations',
      loadExtensions: ['.js'],
    });
    const monitoring = new LocalMonitoring(
      knex,
      new DataLayout(tempDataDir()),
      readMonitoringSettings(new ConfigReader({})),
      mockServices.logger.mock(),
    );
    const served = {
      endpointName: 'ep',
      modelVersion: 1,
      latencyMs: 2,
      status: 200,
      instances: [EXAMPLE_ABALONE],
      predictions: [{ value: 9 }],
    };
    monitoring.record(served);
    monitoring.record({ ...served, source: 'public' });
    const lines = (await monitoring.captureRecords('ep', 0)).map(l =>
      JSON.parse(l),
    );
    expect(lines.map(l => l.eventMetadata.customAttributes)).toEqual([
      undefined,
      'source=public',
    ]);
    await monitoring.close();
  });
});
