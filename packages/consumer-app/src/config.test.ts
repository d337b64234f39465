import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseConfig } from './config';

const fetchReturning = (status: number, body: string) =>
  (async () => new Response(body, { status })) as unknown as typeof fetch;

describe('parseConfig', () => {
  it('reads apiBaseUrl and drops trailing slashes', () => {
    expect(
      parseConfig({ apiBaseUrl: ' https://x.execute-api.aws/prod/ ' }),
    ).toEqual({
      apiBaseUrl: 'https://x.execute-api.aws/prod',
    });
  });

  it.each([null, {}, { apiBaseUrl: '' }, { apiBaseUrl: 3 }])(
    'refuses %j',
    body => {
      expect(() => parseConfig(body)).toThrow(ConfigError);
      expect(() => parseConfig(body)).toThrow(/apiBaseUrl/);
    },
  );
});

describe('loadConfig', () => {
  it('loads config.json', async () => {
    const config = await loadConfig(
      'config.json',
      fetchReturning(200, '{"apiBaseUrl":"http://localhost:7007/api"}'),
    );
    expect(config.apiBaseUrl).toBe('http://localhost:7007/api');
  });

  it('explains a missing or broken file', async () => {
    await expect(
      loadConfig('config.json', fetchReturning(404, 'Not found')),
    ).rejects.toThrow('could not load config.json: HTTP 404');
    await expect(
      loadConfig('config.json', fetchReturning(200, '{oops')),
    ).rejects.toThrow('config.json is not valid JSON');
  });
});
