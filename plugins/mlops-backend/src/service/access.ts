import type {
  AuditorService,
  AuditorServiceEvent,
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import {
  AuthorizeResult,
  ResourcePermission,
} from '@backstage/plugin-permission-common';
import type { Entity } from '@backstage/catalog-model';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  REQUIRED_ANNOTATIONS,
  getMlopsResources,
  invalidResourceNames,
  type MlopsResources,
} from '@mlops-portal/plugin-mlops-common';
import type { EngineActor } from '@mlops-portal/plugin-mlops-node';
import type { Request } from 'express';
import type { JsonObject } from '@backstage/types';
import type { ResourceClaims } from './resourceClaims';

// Catalog naming rules (kind: letters/digits, namespace/name: [a-z0-9A-Z-_.]),
// so a malformed path is a 400 naming the part rather than a catalog miss.
const KIND_PATTERN = /^[A-Za-z][A-Za-z0-9]{0,62}$/;
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

/** Validates URL entity name parts and returns the entity ref. */
export function entityRefFromParams(params: Record<string, string>): string {
  const { kind, namespace, name } = params;
  if (!KIND_PATTERN.test(kind ?? ''))
    throw new InputError(`kind: '${kind}' is not a valid entity kind`);
  if (!NAME_PATTERN.test(namespace ?? ''))
    throw new InputError(`namespace: '${namespace}' is not a valid namespace`);
  if (!NAME_PATTERN.test(name ?? ''))
    throw new InputError(`name: '${name}' is not a valid entity name`);
  return stringifyEntityRef({ kind, namespace, name });
}

/** The acting principal as the engine records it. */
export function actorFromCredentials(
  credentials: BackstageCredentials,
): EngineActor {
  const p = credentials.principal as {
    type: string;
    userEntityRef?: string;
    subject?: string;
  };
  if (p.type === 'user' && p.userEntityRef) return { ref: p.userEntityRef };
  if (p.type === 'service' && p.subject) return { ref: p.subject };
  return { ref: 'unknown' };
}

/**
 * Turns "this caller, this entity" into the MLOps resources they may touch,
 * and checks entity-scoped permissions. Shared by the HTTP router and the
 * actions registry so both enforce exactly the same rules.
 */
export class MlopsAccess {
  constructor(
    private readonly deps: {
      catalog: CatalogService;
      permissions: PermissionsService;
      auditor: AuditorService;
      /** Binds resource names to one entity; absent only in unit tests of other rules. */
      claims?: ResourceClaims;
    },
  ) {}

  /**
   * Loads the entity with the caller's credentials (so catalog read
   * permissions apply: an invisible entity is a 404, not a 403 that would
   * leak its existence), derives its resources from its annotations and
   * checks that no other entity owns them (409 otherwise).
   */
  async resolve(
    entityRef: string,
    credentials: BackstageCredentials,
  ): Promise<MlopsResources> {
    return (await this.resolveEntity(entityRef, credentials)).resources;
  }

  /** As `resolve`, with the loaded entity (its spec annotation and location). */
  async resolveEntity(
    entityRef: string,
    credentials: BackstageCredentials,
  ): Promise<{ entity: Entity; resources: MlopsResources }> {
    const entity = await this.deps.catalog.getEntityByRef(entityRef, {
      credentials,
    });
    if (!entity) throw new NotFoundError(`Entity ${entityRef} not found`);
    const resources = getMlopsResources(entity);
    if (!resources) {
      const annotations = entity.metadata.annotations ?? {};
      const missing = REQUIRED_ANNOTATIONS.filter(a => !annotations[a]?.trim());
      throw new InputError(
        `Entity ${stringifyEntityRef(
          entity,
        )} is not an MLOps entity: missing annotation(s) ${missing.join(', ')}`,
      );
    }
    const invalid = invalidResourceNames(resources);
    if (invalid.length > 0) {
      throw new InputError(
        `Entity ${resources.entityRef} names invalid resources: ${invalid.join(
          '; ',
        )}`,
      );
    }
    await this.deps.claims?.bind(resources);
    return { entity, resources };
  }

  /** Entity-scoped permission check; DENY → NotAllowedError (403). */
  async authorize(
    permission: ResourcePermission<'catalog-entity'>,
    entityRef: string,
    credentials: BackstageCredentials,
  ): Promise<void> {
    const [decision] = await this.deps.permissions.authorize(
      [{ permission, resourceRef: entityRef }],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(
        `${actorFromCredentials(credentials).ref} may not ${
          permission.name
        } on ${entityRef}`,
      );
    }
  }

  /**
   * Runs a write with an audit event around it: attempts that fail (refused,
   * bad input, engine error) are recorded as failures with the error.
   */
  async audited<T>(
    options: {
      eventId: string;
      meta: JsonObject;
      request?: Request<any, any, any, any, any>;
      severityLevel?: 'low' | 'medium' | 'high' | 'critical';
    },
    fn: (
      event: AuditorServiceEvent,
    ) => Promise<{ result: T; meta?: JsonObject }>,
  ): Promise<T> {
    const event = await this.deps.auditor.createEvent({
      eventId: options.eventId,
      severityLevel: options.severityLevel ?? 'medium',
      request: options.request,
      meta: options.meta,
    });
    try {
      const { result, meta } = await fn(event);
      await event.success({ meta });
      return result;
    } catch (error) {
      await event.fail({ error: auditedError(error) });
      throw error;
    }
  }

  /**
   * An audited write on one entity that first checks `permission`: the check
   * runs inside the audit so a refusal is recorded as a failed attempt.
   */
  async guardedWrite<T>(
    options: {
      eventId: string;
      permission: ResourcePermission<'catalog-entity'>;
      entityRef: string;
      credentials: BackstageCredentials;
      meta: JsonObject;
      request?: Request<any, any, any, any, any>;
      severityLevel?: 'low' | 'medium' | 'high' | 'critical';
    },
    fn: () => Promise<{ result: T; meta?: JsonObject }>,
  ): Promise<T> {
    const { permission, entityRef, credentials, ...audit } = options;
    return this.audited(audit, async () => {
      await this.authorize(permission, entityRef, credentials);
      return fn();
    });
  }
}

/** Longest error message an audit event keeps. */
const MAX_AUDITED_MESSAGE = 500;

/**
 * What an audit event records of a failure: its name and a bounded message,
 * nothing else. Row errors (the caller's data) and any other property of the
 * thrown error stay out of the audit log.
 */
export function auditedError(error: unknown): Error {
  const e = error instanceof Error ? error : new Error(String(error));
  const message =
    e.message.length > MAX_AUDITED_MESSAGE
      ? `${e.message.slice(0, MAX_AUDITED_MESSAGE)}… (${
          e.message.length
        } characters)`
      : e.message;
  const copy = new Error(message);
  copy.name = e.name;
  // The stack would repeat the message, unbounded.
  copy.stack = undefined;
  return copy;
}
