import type { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import type { z as zod } from 'zod/v3';
import {
  LIST_LIMITS,
  MlopsService,
  ROLLOUT_ACTIONS,
} from '../service/MlopsService';

/** `limit` and `nextToken` inputs of a list action, bounded like the HTTP route. */
function pageFields(
  z: typeof zod,
  what: string,
  bounds: { default: number; max: number },
) {
  return {
    limit: z
      .number()
      .int()
      .min(1)
      .max(bounds.max)
      .optional()
      .describe(`At most this many ${what} (default ${bounds.default})`),
    nextToken: z
      .string()
      .optional()
      .describe('Token from a previous call, for the next page'),
  };
}

// The actions registry hands out its own zod instance; results are passed
// through as JSON objects, so the output schemas only describe the envelope.

/**
 * Registers the MLOps read actions, predict, the approve and rollout actions (for MCP clients
 * and other Backstage action consumers). They apply the same catalog
 * visibility, permissions and audit as the HTTP API.
 */
export function registerMlopsActions(options: {
  actionsRegistry: ActionsRegistryService;
  service: MlopsService;
}) {
  const { actionsRegistry, service } = options;
  const entityRefDescription =
    'Entity ref of the catalog entity that owns the ML system, e.g. component:default/my-ml-system';

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
          ...pageFields(z, 'runs', LIST_LIMITS.runs),
        }),
      output: z =>
        z.object({
          items: z.array(z.object({}).passthrough()),
          nextToken: z.string().optional(),
        }),
    },
    action: async ({ input, credentials }) => {
      const resources = await service.resolve(input.entityRef, credentials);
      const page = await service.listExecutions(resources, input);
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
          ...pageFields(z, 'versions', LIST_LIMITS.modelVersions),
        }),
      output: z =>
        z.object({
          items: z.array(z.object({}).passthrough()),
          nextToken: z.string().optional(),
        }),
    },
    action: async ({ input, credentials }) => {
      const resources = await service.resolve(input.entityRef, credentials);
      const { body } = await service.listModelVersions(resources, input);
      return { output: JSON.parse(body) };
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
      const resources = await service.resolve(input.entityRef, credentials);
      return {
        output: JSON.parse(
          JSON.stringify(await service.listDeployments(resources)),
        ),
      };
    },
  });

  actionsRegistry.register({
    name: 'get-model-signature',
    title: 'Get a model signature',
    description:
      "Shows what a model version expects and returns: its input fields (type, accepted range or categories, unit) and its output (task, target, classes). Without a version, the deployed one's. Use it to build the records for predict.",
    attributes: { readOnly: true, idempotent: true, destructive: false },
    schema: {
      input: z =>
        z.object({
          entityRef: z.string().min(1).describe(entityRefDescription),
          version: z
            .number()
            .int()
            .min(1)
            .optional()
            .describe('Model package version (default: the deployed one)'),
        }),
      output: z =>
        z
          .object({
            inputs: z.array(z.object({}).passthrough()),
            outputs: z.object({}).passthrough(),
          })
          .passthrough(),
    },
    action: async ({ input, credentials }) => {
      const resources = await service.resolve(input.entityRef, credentials);
      const signature = await service.getModelSignature(
        resources,
        input.version,
      );
      return { output: JSON.parse(JSON.stringify(signature)) };
    },
  });

  actionsRegistry.register({
    name: 'predict',
    title: 'Predict with the deployed model',
    description:
      "Scores records on the entity's endpoint. Each record is keyed by the deployed version's signature input names (see get-model-signature); a record that does not fit it is refused naming instances.N.field. Requires the mlops.endpoint.invoke permission on the entity.",
    attributes: { readOnly: false, idempotent: false, destructive: false },
    schema: {
      input: z =>
        z.object({
          entityRef: z.string().min(1).describe(entityRefDescription),
          instances: z
            .array(
              z.record(
                z.union([z.number(), z.string(), z.boolean(), z.null()]),
              ),
            )
            .min(1)
            .describe(
              'Records keyed by input name, e.g. [{"x": 1.5, "colour": "red"}]; null is a missing value',
            ),
        }),
      output: z =>
        z
          .object({
            predictions: z.array(z.object({}).passthrough()),
          })
          .passthrough(),
    },
    action: async ({ input, credentials }) => {
      const resources = await service.resolve(input.entityRef, credentials);
      const response = await service.predict(
        { resources, credentials, via: 'actions-registry' },
        { instances: input.instances },
      );
      return { output: JSON.parse(JSON.stringify(response)) };
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
          deployment: z
            .object({})
            .passthrough()
            .optional()
            .describe(
              'Approvals only: a deployment strategy overriding the system\'s spec (SageMaker BlueGreenUpdatePolicy in camelCase), e.g. {"trafficRouting": {"type": "CANARY", "waitIntervalInSeconds": 300, "canarySize": {"type": "CAPACITY_PERCENT", "value": 10}}}',
            ),
        }),
      output: z => z.object({ modelVersion: z.object({}).passthrough() }),
    },
    action: async ({ input, credentials }) => {
      const resources = await service.resolve(input.entityRef, credentials);
      const { version, status, comment, deployment } = input;
      // The service checks the strategy (limits, allowOverride) as for the API.
      const updated = await service.updateModelApproval(
        { resources, credentials, via: 'actions-registry' },
        version,
        deployment ? { status, comment, deployment } : { status, comment },
      );
      return { output: { modelVersion: JSON.parse(JSON.stringify(updated)) } };
    },
  });

  actionsRegistry.register({
    name: 'get-rollout',
    title: 'Get the current rollout',
    description:
      "Shows the rollout of a new model version on the entity's endpoint: the one in progress or paused, else the most recent (strategy, traffic share, step, alarm states, rollback reason). Null when the endpoint never rolled out gradually.",
    attributes: { readOnly: true, idempotent: true, destructive: false },
    schema: {
      input: z =>
        z.object({
          entityRef: z.string().min(1).describe(entityRefDescription),
        }),
      output: z => z.object({ rollout: z.object({}).passthrough().nullable() }),
    },
    action: async ({ input, credentials }) => {
      const resources = await service.resolve(input.entityRef, credentials);
      const rollout = await service.getRollout(resources);
      return { output: { rollout: JSON.parse(JSON.stringify(rollout)) } };
    },
  });

  actionsRegistry.register({
    name: 'control-rollout',
    title: 'Pause, resume, roll back or promote a rollout',
    description:
      "Acts on the rollout in progress on the entity's endpoint: pause or resume it, roll back now (all traffic to the previous version) or promote now (all traffic to the new one). Requires the mlops.model.approve permission on the entity; recorded in the audit log. Fails with a conflict when no rollout is in a state that allows the action.",
    attributes: { readOnly: false, idempotent: false, destructive: true },
    schema: {
      input: z =>
        z.object({
          entityRef: z.string().min(1).describe(entityRefDescription),
          action: z.enum(ROLLOUT_ACTIONS as [string, ...string[]]),
          comment: z
            .string()
            .max(1000)
            .optional()
            .describe('Why; kept in the audit log'),
        }),
      output: z => z.object({ rollout: z.object({}).passthrough() }),
    },
    action: async ({ input, credentials }) => {
      const resources = await service.resolve(input.entityRef, credentials);
      const rollout = await service.controlRollout(
        { resources, credentials, via: 'actions-registry' },
        input.action,
        input.comment === undefined ? {} : { comment: input.comment },
      );
      return { output: { rollout: JSON.parse(JSON.stringify(rollout)) } };
    },
  });
}
