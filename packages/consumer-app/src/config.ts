/**
 * Runtime configuration, read from config.json next to index.html so one
 * build works against any back end: the local portal backend, or the API
 * Gateway URL that infra/ writes into the bucket on AWS.
 */
export interface AppConfig {
  apiBaseUrl: string;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Validates the parsed config.json body. */
export function parseConfig(body: unknown): AppConfig {
  const apiBaseUrl = (body as { apiBaseUrl?: unknown } | null)?.apiBaseUrl;
  if (typeof apiBaseUrl !== 'string' || apiBaseUrl.trim() === '') {
    throw new ConfigError(
      'config.json must have a non-empty "apiBaseUrl" string',
    );
  }
  return { apiBaseUrl: apiBaseUrl.trim().replace(/\/+$/, '') };
}

export async function loadConfig(
  url = 'config.json',
  fetchImpl: typeof fetch = fetch,
): Promise<AppConfig> {
  let response: Response;
  try {
    // no-store: the file changes per deployment without a rebuild.
    response = await fetchImpl(url, { cache: 'no-store' });
  } catch (error) {
    throw new ConfigError(`could not load ${url}: ${(error as Error).message}`);
  }
  if (!response.ok) {
    throw new ConfigError(`could not load ${url}: HTTP ${response.status}`);
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    throw new ConfigError(`${url} is not valid JSON`);
  }
  return parseConfig(body);
}
