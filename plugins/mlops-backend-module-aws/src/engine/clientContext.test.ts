import { mockServices } from '@backstage/backend-test-utils';
import { ClientContext } from './clientContext';
import { buildClients } from './clients';
import { resources, testCredentials } from './__testUtils__/helpers';

function makeContext(options: { ttlSeconds?: number; max?: number } = {}) {
  return new ClientContext({
    logger: mockServices.logger.mock(),
    clients: async target =>
      buildClients(target, { credentials: testCredentials }),
    defaultRegion: 'eu-west-1',
    listCacheTtlSeconds: options.ttlSeconds ?? 10,
    maxCachedLists: options.max,
  });
}

describe('ClientContext list cache (lru-cache)', () => {
  it('serves a hit until the TTL passes', async () => {
    // lru-cache reads performance.now(), which fake timers do not move.
    const ctx = makeContext({ ttlSeconds: 0.2 });
    let calls = 0;
    const load = jest.fn(async () => ({ n: ++calls }));
    expect(await ctx.cached(resources, 'group', 'k', load)).toEqual({ n: 1 });
    expect(await ctx.cached(resources, 'group', 'k', load)).toEqual({ n: 1 });
    await new Promise(resolve => setTimeout(resolve, 300));
    expect(await ctx.cached(resources, 'group', 'k', load)).toEqual({ n: 2 });
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('keeps at most maxCachedLists entries, evicting the least recently used', async () => {
    const ctx = makeContext({ max: 2 });
    const load = jest.fn(async () => ['x']);
    await ctx.cached(resources, 'group', 'a', load);
    await ctx.cached(resources, 'group', 'b', load);
    await ctx.cached(resources, 'group', 'a', load); // a is now the most recent
    await ctx.cached(resources, 'group', 'c', load); // evicts b
    expect(load).toHaveBeenCalledTimes(3);
    await ctx.cached(resources, 'group', 'a', load);
    expect(load).toHaveBeenCalledTimes(3);
    await ctx.cached(resources, 'group', 'b', load);
    expect(load).toHaveBeenCalledTimes(4);
  });

  it('invalidates only the written resource kind, per region/account', async () => {
    const ctx = makeContext();
    const load = jest.fn(async () => ['x']);
    const other = { ...resources, region: 'us-east-1' };
    await ctx.cached(resources, 'group', 'k', load);
    await ctx.cached(resources, 'endpoint', 'k', load);
    await ctx.cached(other, 'group', 'k', load);
    ctx.invalidate(resources, 'group');
    await ctx.cached(resources, 'group', 'k', load); // reloaded
    await ctx.cached(resources, 'endpoint', 'k', load); // still cached
    await ctx.cached(other, 'group', 'k', load); // another region: still cached
    expect(load).toHaveBeenCalledTimes(4);
  });

  it('does not cache with a TTL of 0', async () => {
    const ctx = makeContext({ ttlSeconds: 0 });
    const load = jest.fn(async () => ['x']);
    await ctx.cached(resources, 'group', 'k', load);
    await ctx.cached(resources, 'group', 'k', load);
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('targets the entity region/account, else the defaults', () => {
    const ctx = makeContext();
    const { region: _r, ...noRegion } = resources;
    expect(ctx.target(noRegion)).toEqual({
      region: 'eu-west-1',
      accountId: undefined,
    });
    expect(
      ctx.target({ ...resources, region: 'us-east-1', awsAccountId: '2' }),
    ).toEqual({ region: 'us-east-1', accountId: '2' });
  });
});
