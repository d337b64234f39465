import { EventEmitter } from 'events';
import request from 'supertest';
import { createEndpointApp, type LoadedModel } from './endpoint';
import {
  ABALONE_LIKE_SIGNATURE,
  fixedValueModel,
} from './monitoring/__testUtils__/trainedSystem';
import { captureInvocations } from './monitoring/captureMiddleware';

const model = {
  deploymentId: 'd-1',
  modelPackageGroupName: 'AbaloneModelPackageGroup',
  version: 1,
  modelPackageArn: 'local:model-package/AbaloneModelPackageGroup/1',
  model: fixedValueModel(ABALONE_LIKE_SIGNATURE, 9),
} as LoadedModel;
const ROW = 'M,0.455,0.365,0.095,0.514,0.2245,0.101,0.15';

describe('local model endpoint: no browsers, no foreign Host names', () => {
  const app = createEndpointApp({
    modelFor: () => model,
    hasEndpoint: name => name === 'abalone-endpoint',
  });

  it('serves an SDK or curl caller on loopback', async () => {
    const res = await request(app)
      .post('/invocations')
      .set('Host', '127.0.0.1:7070')
      .set('Content-Type', 'text/csv')
      .send(ROW)
      .expect(200);
    expect(res.text.trim()).toBe('9');
  });

  it('refuses a cross-origin text/plain POST from a web page (no preflight needed)', async () => {
    const res = await request(app)
      .post('/invocations')
      .set('Host', '127.0.0.1:7070')
      .set('Origin', 'https://evil.example')
      .set('Content-Type', 'text/plain')
      .send(ROW)
      .expect(403);
    expect(res.body.__type).toBe('AccessDeniedException');
  });

  it('refuses a DNS-rebinding request (foreign Host name)', async () => {
    const res = await request(app)
      .post('/endpoints/abalone-endpoint/invocations')
      .set('Host', 'evil.example:7070')
      .set('Content-Type', 'text/csv')
      .send(ROW);
    expect(res.status).toBe(403);
  });
});

describe('capture of invocations', () => {
  it('does not throw on a malformed % escape in the endpoint name', () => {
    const record = jest.fn();
    const resolve = jest.fn(() => ({ endpointName: 'x', modelVersion: 1 }));
    const mw = captureInvocations(record, resolve);
    const res = Object.assign(new EventEmitter(), {
      statusCode: 400,
      locals: {},
    });
    const next = jest.fn();
    mw(
      { method: 'POST', path: '/endpoints/%zz/invocations' } as any,
      res as any,
      next,
    );
    expect(next).toHaveBeenCalled();
    // Before the fix, decodeURIComponent threw here, after the response,
    // where nothing catches it (an uncaught exception ends the backend).
    expect(() => res.emit('finish')).not.toThrow();
    expect(record).not.toHaveBeenCalled();
  });
});
