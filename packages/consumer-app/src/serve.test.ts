import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error serve.mjs is plain JavaScript without type declarations
import { createConsumerServer } from '../serve.mjs';

// A throwaway dist/ so this test does not need a build.
const dist = mkdtempSync(join(tmpdir(), 'consumer-dist-'));
mkdirSync(join(dist, 'assets'));
writeFileSync(join(dist, 'index.html'), '<!doctype html><title>app</title>');
writeFileSync(join(dist, 'config.json'), '{"apiBaseUrl":"http://from-file"}');
writeFileSync(join(dist, 'assets', 'app-123.js'), 'console.log(1)');

async function start(
  apiBaseUrl?: string,
): Promise<{ server: Server; url: string }> {
  const server: Server = createConsumerServer({ distDir: dist, apiBaseUrl });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}` };
}

describe('serve.mjs', () => {
  let plain: { server: Server; url: string };
  let overridden: { server: Server; url: string };
  beforeAll(async () => {
    plain = await start();
    overridden = await start('http://api.example/prod');
  });
  afterAll(async () => {
    await new Promise(r => plain.server.close(r));
    await new Promise(r => overridden.server.close(r));
    rmSync(dist, { recursive: true, force: true });
  });

  it('serves dist/config.json by default', async () => {
    const res = await fetch(`${plain.url}/config.json`);
    expect(await res.json()).toEqual({ apiBaseUrl: 'http://from-file' });
  });

  it('overrides config.json with CONSUMER_API_BASE_URL', async () => {
    const res = await fetch(`${overridden.url}/config.json`);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toEqual({ apiBaseUrl: 'http://api.example/prod' });
  });

  it('serves index.html, assets with long caching, and falls back for app routes', async () => {
    const index = await fetch(`${plain.url}/`);
    expect(index.headers.get('content-type')).toMatch(/text\/html/);
    expect(await index.text()).toContain('<title>app</title>');

    const asset = await fetch(`${plain.url}/assets/app-123.js`);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
    expect(asset.headers.get('cache-control')).toMatch(/immutable/);

    const route = await fetch(`${plain.url}/some/route`);
    expect(await route.text()).toContain('<title>app</title>');

    expect((await fetch(`${plain.url}/missing.js`)).status).toBe(404);
  });

  it('never serves files outside dist/', async () => {
    const res = await fetch(`${plain.url}/..%2f..%2fetc%2fpasswd`);
    expect([403, 404]).toContain(res.status);
    expect(await res.text()).not.toContain('root:');
  });

  it('answers only GET and HEAD', async () => {
    const res = await fetch(`${plain.url}/`, { method: 'POST' });
    expect(res.status).toBe(405);
  });
});
