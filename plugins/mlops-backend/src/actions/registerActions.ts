import type { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import { mlopsModelApprovePermission } from '@mlops-portal/plugin-mlops-common';
import type { MlopsEngine } from '@mlops-portal/plugin-mlops-node';
import { MlopsAccess, actorFromCredentials } from '../service/access';

// The actions registry hands out its own zod instance; results are passed
// through as JSON objects, so the output schemas only describe the envelope.

/**
 * Registers the MLOps read actions and the approve action (for MCP clients
 * and other Backstage action consumers). They apply the same catalog
 * visibility, permissions and audit as the HTTP API.
 */
export function registerMlopsActions(options: {
  actionsRegistry: ActionsRegistryService;
  engine: MlopsEngine;
  access: MlopsAccess;
}) {
  const { actionsRegistry, engine, access } = options;
  const entityRefDescription =
    'Entity ref of the catalog entity that owns the ML system, e.g. component:default/abalone-age-predictor';

  actionsRegistry.register({
    name: 'list-pipeline-executions',
    title: 'List ML pipeline runs',
    description:
      'Lists the pipeline executions (runs) of an entity, newest first, with status, metrics and model version.',
    attributes: { readOnly: true, idempotent: true, destructive: false },
    schema: {
      input: z =>
        z.object({
          entityRef: z.string().min(1).describe(entityRefDescription),
          limit: z
            .number()
            .int()
            .min(1)
            .max(100)
            .optional()
            .describe('At most this many runs (default 50)'),
          nextToken: z
            .string()
            .optional()
            .describe('Token from a previous call, for the next page'),
        }),
      output: z =>
        z.object({
          items: z.array(z.object({}).passthrough()),
          nextToken: z.string().optional(),
        }),
    },
    action: async ({ input, credentials }) => {
      const resources = await access.resolve(input.entityRef, credentials);
      const page = await engine.listExecutions(resources, {
        limit: input.limit ?? 50,
        nextToken: input.nextToken,
      });
      return { output: JSON.parse(JSON.stringify(page)) };
    },
  });

  actionsRegistry.register({
    name: 'list-model-versions',
    title: 'List model versions',
    description:
      'Lists the model package versions of an entity, newest first, with approval status, metrics and whether each is deployed.',
    attributes: { readOnly: true, idempotent: true, destructive: false },
    schema: {
      input: z =>
        z.object({
          entityRef: z.string().min(1).describe(entityRefDescription),
        }),
      output: z => z.object({ items: z.array(z.object({}).passthrough()) }),
    },
    action: async ({ input, credentials }) => {
      const resources = await access.resolve(input.entityRef, credentials);
      const items = await engine.listModelVersions(resources);
      return { output: { items: JSON.parse(JSON.stringify(items)) } };
    },
  });

  actionsRegistry.register({
    name: 'get-deployments',
    title: 'Get endpoint deployments',
    description:
      "Shows the entity's endpoint (status, served model version) and its deployment history.",
    attributes: { readOnly: true, idempotent: true, destructive: false },
    schema: {
      input: z =>
        z.object({
          entityRef: z.string().min(1).describe(entityRefDescription),
        }),
      output: z =>
        z.object({
          endpoint: z.object({}).passthrough().optional(),
          deployments: z.array(z.object({}).passthrough()),
        }),
    },
    action: async ({ input, credentials }) => {
      const resources = await access.resolve(input.entityRef, credentials);
      return {
        output: JSON.parse(
          JSON.stringify(await engine.listDeployments(resources)),
        ),
      };
    },
  });

  actionsRegistry.register({
    name: 'approve-model-version',
    title: 'Approve or reject a model version',
    description:
      'Sets the approval status of a model version (Approved deploys it to the endpoint). Requires the mlops.model.approve permission on the entity; recorded in the audit log.',
    attributes: { readOnly: false, idempotent: false, destructive: true },
    schema: {
      input: z =>
        z.object({
          entityRef: z.string().min(1).describe(entityRefDescription),
          version: z.number().int().min(1).describe('Model package version'),
          status: z.enum(['Approved', 'Rejected']),
          comment: z
            .string()
            .trim()
            .min(1)
            .max(1000)
            .describe('Why; kept in the approval history'),
        }),
      output: z => z.object({ modelVersion: z.object({}).passthrough() }),
    },
    action: async ({ input, credentials }) => {
      const resources = await access.resolve(input.entityRef, credentials);
      const updated = await access.guardedWrite(
        {
          eventId: 'model-approval',
          severityLevel: 'high',
          permission: mlopsModelApprovePermission,
          entityRef: resources.entityRef,
          credentials,
          meta: {
            entityRef: resources.entityRef,
            version: input.version,
            status: input.status,
            comment: input.comment,
            via: 'actions-registry',
          },
        },
        async () => {
          const result = await engine.updateModelApproval(
            resources,
            input.version,
            {
              status: input.status,
              comment: input.comment,
              actor: actorFromCredentials(credentials),
            },
          );
          return { result };
        },
      );
      return { output: { modelVersion: JSON.parse(JSON.stringify(updated)) } };
    },
  });
}
