import {
  coreServices,
  createServiceFactory,
  type UrlReaderService,
  type UrlReaderServiceReadUrlResponse,
} from '@backstage/backend-plugin-api';
import { urlReaderFactoriesServiceRef } from '@backstage/backend-defaults/urlReader';
import type { Config } from '@backstage/config';
import {
  InputError,
  NotAllowedError,
  NotFoundError,
  NotImplementedError,
} from '@backstage/errors';
import { createHash } from 'crypto';
import { promises as fs } from 'fs';
import path from 'path';
import { Readable } from 'stream';
import { fileURLToPath } from 'url';

/** A spec file larger than this is refused before it is read. */
export const DEFAULT_MAX_SPEC_FILE_BYTES = 256 * 1024;

/** Only spec files: a file reader must not turn into a way to read config or keys. */
const ALLOWED_EXTENSIONS = new Set(['.yaml', '.yml']);

/** `mlops.specs.allowedDirs`, resolved against the working directory (like catalog file targets). */
export function readAllowedSpecDirs(config: Config): string[] {
  return (config.getOptionalStringArray('mlops.specs.allowedDirs') ?? []).map(
    d => path.resolve(d),
  );
}

/**
 * Reads `file:` URLs, but only YAML files whose real path (symlinks
 * resolved) lies inside one of `allowedDirs`, at most `maxBytes` long.
 * Everything else is refused with NotAllowedError; a missing file is a
 * NotFoundError. Messages name the file by its base name, never the host path.
 */
export class AllowedDirsFileReader implements UrlReaderService {
  private readonly dirs: string[];
  private readonly roots: Promise<string[]>;

  constructor(
    allowedDirs: string[],
    private readonly maxBytes = DEFAULT_MAX_SPEC_FILE_BYTES,
  ) {
    this.dirs = allowedDirs.map(d => path.resolve(d));
    // A configured directory that does not exist allows nothing.
    this.roots = Promise.all(
      this.dirs.map(d => fs.realpath(d).catch(() => undefined)),
    ).then(rs => rs.filter((r): r is string => !!r));
  }

  static predicate(url: URL): boolean {
    return url.protocol === 'file:';
  }

  async readUrl(url: string): Promise<UrlReaderServiceReadUrlResponse> {
    const file = await this.allowedPath(url);
    const handle = await fs.open(file, 'r');
    let buffer: Buffer;
    try {
      const stat = await handle.stat();
      const size = stat.size;
      if (!stat.isFile())
        throw new NotAllowedError(`${path.basename(file)} is not a file`);
      if (size > this.maxBytes) throw this.tooLarge(file, size);
      // Read one byte past the cap: a file that grew after stat is still refused.
      const chunk = Buffer.alloc(this.maxBytes + 1);
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, 0);
      if (bytesRead > this.maxBytes) throw this.tooLarge(file, bytesRead);
      buffer = chunk.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
    const etag = createHash('sha256').update(buffer).digest('hex');
    return {
      buffer: async () => buffer,
      stream: () => Readable.from(buffer),
      etag,
    };
  }

  async readTree(): Promise<never> {
    throw new NotImplementedError('the MLOps file reader reads single files');
  }

  async search(): Promise<never> {
    throw new NotImplementedError('the MLOps file reader reads single files');
  }

  toString() {
    return `mlops-file{maxBytes=${this.maxBytes}}`;
  }

  private outside(name: string) {
    return new NotAllowedError(
      `${name} is outside the directories mlops.specs.allowedDirs allows`,
    );
  }

  private tooLarge(file: string, size: number) {
    return new InputError(
      `${path.basename(file)} is ${size} bytes or more; at most ${
        this.maxBytes
      } are read`,
    );
  }

  /** The real path of `url` if it may be read; refuses anything else. */
  private async allowedPath(url: string): Promise<string> {
    let requested: string;
    try {
      requested = fileURLToPath(url);
    } catch {
      throw new InputError('not a valid file URL');
    }
    const name = path.basename(requested);
    if (!ALLOWED_EXTENSIONS.has(path.extname(requested).toLowerCase()))
      throw new NotAllowedError(
        `${name}: only .yaml or .yml files may be read as specs`,
      );
    const roots = await this.roots;
    // Checked before the file is looked at, so that whether a file exists
    // outside the allowed directories is never revealed.
    if (!isInside([...this.dirs, ...roots], requested))
      throw this.outside(name);
    let real: string;
    try {
      real = await fs.realpath(requested);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT')
        throw new NotFoundError(`${name} does not exist`);
      throw new NotAllowedError(`${name} cannot be read`);
    }
    // Symlinks resolved: a link inside pointing outside is outside.
    if (!isInside(roots, real)) throw this.outside(name);
    if (!ALLOWED_EXTENSIONS.has(path.extname(real).toLowerCase()))
      throw new NotAllowedError(
        `${name}: only .yaml or .yml files may be read as specs`,
      );
    return real;
  }
}

function isInside(roots: string[], file: string): boolean {
  return roots.some(root => {
    const rel = path.relative(root, file);
    return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
  });
}

/**
 * Adds the `file:` reader to the MLOps plugin's UrlReaderService, so specs
 * next to a file-location catalog (the local demo) can be read. Scoped to
 * the mlops plugin: other plugins (catalog, scaffolder, techdocs) get no new
 * way to read local files. Add it beside the plugin:
 * `backend.add(mlopsSpecFileReaderFactory)`.
 *
 * @public
 */
export const mlopsSpecFileReaderFactory = createServiceFactory({
  service: urlReaderFactoriesServiceRef,
  deps: { pluginMetadata: coreServices.pluginMetadata },
  async factory({ pluginMetadata }) {
    if (pluginMetadata.getId() !== 'mlops') return () => [];
    return ({ config }) => {
      const dirs = readAllowedSpecDirs(config);
      if (dirs.length === 0) return [];
      return [
        {
          predicate: AllowedDirsFileReader.predicate,
          reader: new AllowedDirsFileReader(dirs),
        },
      ];
    };
  },
});
