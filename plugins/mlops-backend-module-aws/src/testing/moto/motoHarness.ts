/**
 * Starts moto's server with this folder's extension (server.py) on a free
 * loopback port, for tests that drive the aws engine over real HTTP. Nothing
 * here knows a data set: what the pipeline's steps produce and how the
 * deployed model answers are given by the test (`outputs`, `modelHost`).
 * See README.md.
 */
import { spawn, spawnSync, type ChildProcess } from 'child_process';
import http from 'http';
import type { AddressInfo } from 'net';
import path from 'path';

/** The moto release the harness is written against (see scripts/moto/ensure-moto.sh). */
export const MOTO_VERSION = '5.2.1';
/** moto's default account: every ARN the emulator makes is in it. */
export const MOTO_ACCOUNT = '123456789012';

export interface ModelHostRequest {
  /** The deployed package's container artifacts, in container order. */
  modelDataUrls: string[];
  contentType?: string;
  accept?: string;
  body: Buffer;
}

export interface ModelHostResponse {
  status?: number;
  contentType?: string;
  body: string;
}

/** What serves InvokeEndpoint: the deployed model's own predictor. */
export type ModelHost = (req: ModelHostRequest) => Promise<ModelHostResponse>;

export interface MotoHarnessOptions {
  /** How long each pipeline step / release action takes (default 1 s). */
  stepSeconds?: number;
  modelHost?: ModelHost;
  /** Python with moto installed (default: $MOTO_PYTHON, else python3). */
  python?: string;
}

export interface MotoHarness {
  /** `http://127.0.0.1:<port>`: give it to the SDK clients as `endpoint`. */
  endpoint: string;
  pid: number;
  /** POST a control request under /moto-ext/ (see README.md). */
  control(route: string, body?: unknown): Promise<any>;
  /** The operations the emulator served so far, `service:Operation` → count. */
  operations(): Promise<Record<string, number>>;
  stop(): Promise<void>;
}

/** Why moto cannot be used, or undefined when python3 has the pinned version. */
export function motoProblem(python = defaultPython()): string | undefined {
  const probe = spawnSync(
    python,
    ['-c', 'import moto, flask, werkzeug; print(moto.__version__)'],
    { encoding: 'utf8' },
  );
  if (probe.error || probe.status !== 0) {
    return `${python} cannot import moto (${
      probe.error?.message ?? probe.stderr.trim().split('\n').pop()
    }); run scripts/moto/ensure-moto.sh`;
  }
  const version = probe.stdout.trim();
  return version === MOTO_VERSION
    ? undefined
    : `${python} has moto ${version}, the harness is pinned to ${MOTO_VERSION}; run scripts/moto/ensure-moto.sh`;
}

function defaultPython() {
  return process.env.MOTO_PYTHON || 'python3';
}

export async function startMotoHarness(
  options: MotoHarnessOptions = {},
): Promise<MotoHarness> {
  const python = options.python ?? defaultPython();
  const problem = motoProblem(python);
  if (problem) throw new Error(problem);
  // Test-only code, run from source (never bundled): server.py sits beside it.
  // eslint-disable-next-line no-restricted-syntax
  const here = __dirname;
  const child = spawn(
    python,
    [
      path.join(here, 'server.py'),
      '--port',
      '0',
      '--step-seconds',
      String(options.stepSeconds ?? 1),
    ],
    { cwd: here, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const port = await readPort(child);
  const endpoint = `http://127.0.0.1:${port}`;
  const control = async (route: string, body?: unknown) => {
    const res = await fetch(`${endpoint}/moto-ext/${route}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = await res.json();
    if (!res.ok) throw new Error(`moto-ext/${route}: ${JSON.stringify(json)}`);
    return json;
  };
  const host = options.modelHost
    ? await serveModelHost(options.modelHost)
    : undefined;
  if (host) await control('model-host', { url: host.url });
  return {
    endpoint,
    pid: child.pid!,
    control,
    operations: () => control('operations'),
    stop: async () => {
      host?.server.close();
      if (child.exitCode === null) {
        const exited = new Promise(resolve => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}

function readPort(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    let timer: ReturnType<typeof setTimeout> | undefined = undefined;
    const fail = (e: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${e.message}\n${err.slice(-2000)}`));
    };
    timer = setTimeout(
      () => fail(new Error('moto did not start within 30 s')),
      30_000,
    );
    child.stderr!.on('data', d => {
      // moto logs each request here; keep only the tail for a start-up error.
      err = (err + d).slice(-4000);
    });
    child.stdout!.on('data', d => {
      out += d;
      const m = /MOTO_HARNESS_PORT=(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.once('exit', code => fail(new Error(`moto exited with ${code}`)));
  });
}

async function serveModelHost(modelHost: ModelHost) {
  const server = http.createServer(async (req, res) => {
    try {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const input = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      const out = await modelHost({
        modelDataUrls: input.modelDataUrls ?? [],
        contentType: input.contentType,
        accept: input.accept,
        body: Buffer.from(input.body ?? '', 'base64'),
      });
      res.writeHead(out.status ?? 200, {
        'content-type': out.contentType ?? 'text/csv',
      });
      res.end(out.body);
    } catch (e) {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String((e as Error).message ?? e).slice(0, 500));
    }
  });
  await new Promise<void>(resolve =>
    server.listen(0, '127.0.0.1', () => resolve()),
  );
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}/invocations` };
}
