import { loadConfig } from '@backstage/config-loader';
import { ConfigReader } from '@backstage/config';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import path from 'path';
import request from 'supertest';
import authPlugin from '@backstage/plugin-auth-backend';
import guestProvider from '@backstage/plugin-auth-backend-module-guest-provider';

jest.setTimeout(60_000);

const ROOT = path.resolve(__dirname, '../../..');

/** The merged config `npm run start:prod` (scripts/start-prod.sh) loads. */
async function shippedConfig(files: string[], env: Record<string, string> = {}) {
  const saved = { ...process.env };
  // Only what the test sets: the machine's own MLOPS_* must not leak in.
  for (const k of Object.keys(process.env)) {
    if (k.startsWith('MLOPS_')) delete process.env[k];
  }
  Object.assign(process.env, env);
  try {
    const { appConfigs } = await loadConfig({
      configRoot: ROOT,
      configTargets: files.map(f => ({ path: path.join(ROOT, f) })),
    });
    return ConfigReader.fromConfigs(appConfigs);
  } finally {
    process.env = saved;
  }
}

const PRODUCTION = ['app-config.yaml', 'app-config.production.yaml'];
const DEMO = [...PRODUCTION, 'app-config.demo.yaml'];

/** The guest provider's refresh over HTTP, as a browser signs in; NODE_ENV is not development in jest. */
async function guestSignIn(config: ConfigReader) {
  const backend = await startTestBackend({
    features: [
      authPlugin,
      guestProvider,
      mockServices.rootConfig.factory({
        data: {
          app: { baseUrl: 'http://localhost:7007' },
          auth: config.getConfig('auth').get(),
        },
      }),
    ],
  });
  try {
    return await request(backend.server)
      .get('/api/auth/guest/refresh')
      .set('X-Requested-With', 'XMLHttpRequest');
  } finally {
    await backend.stop();
  }
}

describe('production config (npm run start:prod)', () => {
  it('does not let anyone sign in as the guest owner', async () => {
    const config = await shippedConfig(PRODUCTION);
    expect(
      config.getOptionalBoolean(
        'auth.providers.guest.dangerouslyAllowOutsideDevelopment',
      ),
    ).not.toBe(true);
    expect(config.getString('auth.environment')).toBe('production');
    const res = await guestSignIn(config);
    expect(res.status).toBe(403);
    expect(JSON.stringify(res.body)).toContain(
      'cannot be used outside of a development environment',
    );
  });

  it('listens on loopback unless MLOPS_LISTEN_HOST says otherwise', async () => {
    const config = await shippedConfig(PRODUCTION);
    expect(config.getString('backend.listen.host')).toBe('127.0.0.1');
    const exposed = await shippedConfig(PRODUCTION, {
      MLOPS_LISTEN_HOST: '0.0.0.0',
    });
    expect(exposed.getString('backend.listen.host')).toBe('0.0.0.0');
    // The development config too.
    const dev = await shippedConfig(['app-config.yaml']);
    expect(dev.getString('backend.listen.host')).toBe('127.0.0.1');
  });

  it('keeps guest sign-in for the explicitly named demo mode only', async () => {
    const config = await shippedConfig(DEMO);
    expect(
      config.getBoolean(
        'auth.providers.guest.dangerouslyAllowOutsideDevelopment',
      ),
    ).toBe(true);
    const res = await guestSignIn(config);
    expect(res.status).toBe(200);
    expect(res.body.backstageIdentity.identity.userEntityRef).toBe(
      'user:default/guest',
    );
  });
});
