#!/usr/bin/env node
// Tiny static server for the built app (dist/), with no dependencies, so the
// root run command can start it next to the portal. On AWS, CloudFront serves
// dist/ instead and infra/ writes config.json.
//
//   PORT=3001 HOST=127.0.0.1 CONSUMER_API_BASE_URL=http://... node serve.mjs
//
// CONSUMER_API_BASE_URL, when set, replaces dist/config.json's apiBaseUrl, so
// the same build can talk to any back end without rebuilding.
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const CONTENT_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

const DEFAULT_DIST = fileURLToPath(new URL('./dist/', import.meta.url));

async function fileIfExists(path) {
  try {
    const info = await stat(path);
    return info.isFile() ? path : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Creates (does not start) the server.
 * @param {{ distDir?: string, apiBaseUrl?: string }} [options]
 */
export function createConsumerServer(options = {}) {
  const distDir = resolve(options.distDir ?? DEFAULT_DIST);
  const apiBaseUrl = options.apiBaseUrl;

  return createServer(async (req, res) => {
    const send = (status, type, body, extra = {}) => {
      res.writeHead(status, {
        'Content-Type': type,
        'X-Content-Type-Options': 'nosniff',
        ...extra,
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        send(405, 'text/plain; charset=utf-8', 'Method not allowed', {
          Allow: 'GET, HEAD',
        });
        return;
      }
      const url = new URL(req.url ?? '/', 'http://localhost');
      const pathname = decodeURIComponent(url.pathname);

      if (pathname === '/config.json' && apiBaseUrl) {
        send(200, CONTENT_TYPES['.json'], JSON.stringify({ apiBaseUrl }), {
          'Cache-Control': 'no-store',
        });
        return;
      }

      // Resolve inside dist/ only: normalize, then refuse anything escaping it.
      const candidate = normalize(join(distDir, pathname));
      if (candidate !== distDir && !candidate.startsWith(distDir + sep)) {
        send(403, 'text/plain; charset=utf-8', 'Forbidden');
        return;
      }
      let file = await fileIfExists(candidate);
      if (!file && candidate.endsWith(sep)) {
        file = await fileIfExists(join(candidate, 'index.html'));
      }
      if (!file && !extname(pathname)) {
        // Single-page app: unknown routes get index.html.
        file = await fileIfExists(join(distDir, 'index.html'));
      }
      if (!file) {
        send(404, 'text/plain; charset=utf-8', 'Not found');
        return;
      }
      const body = await readFile(file);
      const type = CONTENT_TYPES[extname(file)] ?? 'application/octet-stream';
      // Hashed assets never change; index.html and config.json must not be cached.
      const cache = file.includes(`${sep}assets${sep}`)
        ? 'public, max-age=31536000, immutable'
        : 'no-store';
      send(200, type, body, { 'Cache-Control': cache });
    } catch (error) {
      send(500, 'text/plain; charset=utf-8', `Server error: ${error.message}`);
    }
  });
}

const isMain =
  process.argv[1] &&
  import.meta.url === pathToFileURL(resolve(process.argv[1])).href;

if (isMain) {
  const port = Number(process.env.PORT ?? 3001);
  const host = process.env.HOST ?? '127.0.0.1';
  const apiBaseUrl = process.env.CONSUMER_API_BASE_URL || undefined;
  const distDir = process.env.CONSUMER_DIST_DIR ?? DEFAULT_DIST;
  if (!(await fileIfExists(join(distDir, 'index.html')))) {
    console.error(
      `No build found in ${distDir}. Run: npm run build -w @mlops-portal/consumer-app`,
    );
    process.exit(1);
  }
  const server = createConsumerServer({ distDir, apiBaseUrl });
  server.listen(port, host, () => {
    // Show "localhost": it is the origin the portal backend's CORS list
    // (mlops.publicApi.cors.origins) allows by default.
    const shown = host === '127.0.0.1' ? 'localhost' : host;
    console.log(
      `Consumer app on http://${shown}:${port} (API: ${
        apiBaseUrl ?? 'from dist/config.json'
      })`,
    );
  });
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
