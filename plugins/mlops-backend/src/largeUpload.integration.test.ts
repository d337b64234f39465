import { createServiceFactory } from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { notificationService } from '@backstage/plugin-notifications-node';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import fs from 'fs';
import http from 'http';
import type { AddressInfo } from 'net';
import os from 'os';
import path from 'path';
import { Readable } from 'stream';
import { mlopsPlugin } from './plugin';
import { mlopsSpecFileReaderFactory } from './specs/fileUrlReader';
import {
  DEMO_SPECS_CONFIG,
  specTestEntities,
} from './__testUtils__/specEntities';
import {
  ENTITY_PATH,
  GUEST,
  ownershipPermissions,
} from './__testUtils__/fixtures';

jest.setTimeout(300_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
const MB = 1024 * 1024;

/** One 100 MB line: `M,1,1,1,…`, generated as it is sent (the test never holds it). */
function hugeLine(bytes: number): Readable {
  const chunk = Buffer.from('1,'.repeat(32 * 1024));
  let sent = 0;
  return new Readable({
    read() {
      if (sent === 0) {
        sent += 2;
        this.push('M,');
        return;
      }
      if (sent >= bytes) {
        this.push('1\n');
        this.push(null);
        return;
      }
      sent += chunk.length;
      this.push(chunk);
    },
  });
}

/**
 * Finding 5 of the security review: a 100 MB single-line upload used to come
 * back as a 105 MB 400 body and a 110 MB audit line, doubling the backend's
 * memory. The row is now refused with a bounded answer, a bounded audit
 * event and bounded memory.
 */
describe('a 100 MB single-line upload', () => {
  let port: number;
  let stop: () => Promise<void>;
  let dataDir: string;
  const audits: string[] = [];

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-huge-it-'));
    const knex = await databases.init('SQLITE_3');
    const backend = await startTestBackend({
      features: [
        mlopsPlugin,
        // Reads the Abalone entity's spec next to its (demo) catalog file.
        mlopsSpecFileReaderFactory,
        mockServices.database.factory({ knex }),
        mockServices.rootConfig.factory({
          data: {
            mlops: {
              engine: 'local',
              specs: DEMO_SPECS_CONFIG,
              local: { dataDir, endpoint: { enabled: false } },
            },
          },
        }),
        catalogServiceMock.factory({ entities: specTestEntities }),
        mockServices.permissions.mock(ownershipPermissions()).factory,
        mockServices.auditor.mock({
          createEvent: async ({ request: _request, ...options }) => ({
            success: async params =>
              void audits.push(JSON.stringify({ options, params })),
            // What a logging auditor would write: the event and the error.
            fail: async params =>
              void audits.push(
                JSON.stringify({
                  options,
                  meta: params.meta,
                  error: {
                    ...params.error,
                    name: params.error.name,
                    message: params.error.message,
                    stack: params.error.stack,
                  },
                }),
              ),
          }),
        }).factory,
        createServiceFactory({
          service: notificationService,
          deps: {},
          factory: () => ({ send: async () => {} }),
        }),
        createServiceFactory({
          service: signalsServiceRef,
          deps: {},
          factory: () => ({ publish: async () => {} }),
        }),
      ],
    });
    port = (backend.server.address() as AddressInfo).port;
    stop = () => backend.stop();
  });

  afterAll(async () => {
    await stop?.();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('is refused with a bounded 400, a bounded audit line and bounded memory', async () => {
    global.gc?.();
    const baseline = process.memoryUsage().heapUsed;
    let peak = baseline;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().heapUsed);
    }, 20);
    const { status, body } = await new Promise<{
      status: number;
      body: string;
    }>((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: `${ENTITY_PATH}/datasets?fileName=huge.csv`,
          headers: {
            authorization: mockCredentials.user.header(GUEST),
            'content-type': 'text/csv',
          },
        },
        res => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', c => (text += c));
          res.on('end', () => resolve({ status: res.statusCode!, body: text }));
        },
      );
      req.on('error', reject);
      hugeLine(100 * MB).pipe(req);
    });
    clearInterval(sampler);

    expect(status).toBe(400);
    expect(body.length).toBeLessThan(4096);
    const error = JSON.parse(body).error;
    expect(error.name).toBe('InputError');
    expect(error.rowErrors[0]).toMatchObject({ row: 1, column: '*' });
    expect(error.message).toContain('huge.csv');

    const uploadAudit = audits.find(a => a.includes('"dataset-upload"'));
    expect(uploadAudit).toBeDefined();
    expect(uploadAudit!.length).toBeLessThan(4096);
    expect(uploadAudit).not.toContain('1,1,1,1,1,1,1,1');

    // The body was 100 MB; the backend's heap never grew by as much.
    expect(peak - baseline).toBeLessThan(64 * MB);
  });
});
