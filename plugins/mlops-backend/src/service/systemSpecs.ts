import type {
  BackstageCredentials,
  UrlReaderService,
} from '@backstage/backend-plugin-api';
import {
  ANNOTATION_LOCATION,
  ANNOTATION_ORIGIN_LOCATION,
  parseLocationRef,
  type Entity,
} from '@backstage/catalog-model';
import {
  InputError,
  NotAllowedError,
  NotFoundError,
  isError,
} from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { SpecError, parseSpec, type MlSystemSpec } from '@mlops-portal/ml-core';
import {
  ANNOTATION_SPEC,
  type SpecProblem,
  type SystemSpecResponse,
} from '@mlops-portal/plugin-mlops-common';
import { createHash } from 'crypto';
import { LRUCache } from 'lru-cache';
import { pathToFileURL } from 'url';

/** Longest `mlops.io/spec` value accepted (it ends up in messages). */
const MAX_ANNOTATION_CHARS = 500;

/**
 * A spec file that does not validate (→ 422): `problems` name each field,
 * e.g. `spec.gate.comparison`. Client-safe: it carries no host paths.
 */
export class SpecValidationError extends Error {
  readonly statusCode = 422;
  readonly problems: SpecProblem[];
  readonly hash: string;

  constructor(message: string, problems: SpecProblem[], hash: string) {
    super(message);
    this.name = 'SpecValidationError';
    this.problems = problems;
    this.hash = hash;
  }
}

export interface SystemSpecsOptions {
  catalog: CatalogService;
  urlReader: UrlReaderService;
  /** How long a read file is reused before it is read again; default 30 s. */
  ttlMs?: number;
}

/**
 * Each entity's ML system spec (`mlops.io/spec`, relative to where the
 * entity is defined), read with the UrlReaderService and validated with the
 * ML core's `parseSpec`. Reads are kept per entity and location for a short
 * TTL; parses per content hash, so an unchanged file is parsed once.
 * Nothing is stored: a bad spec is an error for the caller, never a change.
 */
export class SystemSpecs {
  private readonly reads: LRUCache<string, { text: string; hash: string }>;
  private readonly parses = new LRUCache<
    string,
    { spec: MlSystemSpec } | { error: SpecError }
  >({ max: 200 });

  constructor(private readonly options: SystemSpecsOptions) {
    this.reads = new LRUCache({ max: 500, ttl: options.ttlMs ?? 30_000 });
  }

  /**
   * The entity's spec, read with the caller's credentials. Throws
   * NotFoundError (entity or spec file missing, or no annotation),
   * InputError (annotation not a relative path), NotAllowedError (location
   * the readers refuse) or SpecValidationError (field errors, 422).
   */
  async get(
    entityRef: string,
    credentials: BackstageCredentials,
  ): Promise<SystemSpecResponse> {
    const entity = await this.options.catalog.getEntityByRef(entityRef, {
      credentials,
    });
    if (!entity) throw new NotFoundError(`Entity ${entityRef} not found`);
    return this.forEntity(entityRef, entity);
  }

  /** As `get`, for an entity already loaded. */
  async forEntity(
    entityRef: string,
    entity: Entity,
  ): Promise<SystemSpecResponse> {
    const source = specAnnotation(entity, entityRef);
    const url = specUrl(entity, entityRef, source);
    const key = `${entityRef}\n${url}`;
    let read = this.reads.get(key);
    if (!read) {
      const text = await this.readText(url, source);
      read = { text, hash: createHash('sha256').update(text).digest('hex') };
      this.reads.set(key, read);
    }
    let parsed = this.parses.get(read.hash);
    if (!parsed) {
      try {
        parsed = { spec: parseSpec(read.text, source) };
      } catch (e) {
        if (!(e instanceof SpecError)) throw e;
        parsed = { error: e };
      }
      this.parses.set(read.hash, parsed);
    }
    if ('error' in parsed) {
      throw new SpecValidationError(
        `${ANNOTATION_SPEC} ${source} of ${entityRef} is not a valid ML system spec: ${
          parsed.error.problems.length
        } problem${parsed.error.problems.length === 1 ? '' : 's'}`,
        parsed.error.problems,
        read.hash,
      );
    }
    return {
      source,
      hash: read.hash,
      spec: parsed.spec as unknown as SystemSpecResponse['spec'],
    };
  }

  private async readText(url: string, source: string): Promise<string> {
    try {
      const response = await this.options.urlReader.readUrl(url);
      return (await response.buffer()).toString('utf8');
    } catch (e) {
      // The readers' messages may name host paths or hosts; ours name the annotation.
      const what = `${ANNOTATION_SPEC} ${source}`;
      if (isError(e) && e.name === NotFoundError.name)
        throw new NotFoundError(`${what}: the spec file does not exist`);
      if (isError(e) && e.name === NotAllowedError.name)
        throw new NotAllowedError(
          `${what}: reading this location is not allowed (${
            url.startsWith('file:')
              ? 'file specs are read only as .yaml files inside mlops.specs.allowedDirs, with mlopsSpecFileReaderFactory added to the backend'
              : 'no integration or backend.reading.allow entry for its host'
          })`,
        );
      if (isError(e) && e.name === InputError.name)
        throw new InputError(`${what}: ${e.message}`);
      throw e;
    }
  }
}

function specAnnotation(entity: Entity, entityRef: string): string {
  const value = entity.metadata.annotations?.[ANNOTATION_SPEC]?.trim();
  if (!value)
    throw new NotFoundError(
      `Entity ${entityRef} has no ML system spec: add the annotation ${ANNOTATION_SPEC} (e.g. ./ml-system.yaml)`,
    );
  // Relative only: the entity's own location decides where it can point.
  if (
    value.length > MAX_ANNOTATION_CHARS ||
    [...value].some(c => c < ' ' || c === '\\') ||
    value.startsWith('/') ||
    /^[A-Za-z][A-Za-z0-9+.-]*:/.test(value)
  ) {
    throw new InputError(
      `${ANNOTATION_SPEC} of ${entityRef} must be a path relative to the entity's catalog file, e.g. ./ml-system.yaml`,
    );
  }
  return value;
}

/** The spec's URL: the annotation resolved against the entity's location. */
function specUrl(entity: Entity, entityRef: string, source: string): string {
  const annotations = entity.metadata.annotations ?? {};
  const location =
    annotations[ANNOTATION_LOCATION] ?? annotations[ANNOTATION_ORIGIN_LOCATION];
  if (!location)
    throw new InputError(
      `Entity ${entityRef} has no ${ANNOTATION_LOCATION}: ${ANNOTATION_SPEC} cannot be resolved`,
    );
  let type: string;
  let target: string;
  try {
    ({ type, target } = parseLocationRef(location));
  } catch {
    throw new InputError(
      `Entity ${entityRef} has an unreadable ${ANNOTATION_LOCATION}`,
    );
  }
  let base: URL;
  try {
    if (type === 'file') base = pathToFileURL(target);
    else if (type === 'url') base = new URL(target);
    else throw new Error(type);
  } catch {
    throw new NotAllowedError(
      `${ANNOTATION_SPEC} of ${entityRef}: specs are read next to url or file locations only`,
    );
  }
  return new URL(source, base).toString();
}
