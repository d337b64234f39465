import { z } from 'zod/v3';
import { PIPELINE_PARAMETERS } from './parameters';
import { deploymentStrategySchema } from './rollout';

/**
 * Request body schemas shared by the router (validation) and clients.
 * Schemas are strict: unknown fields are an error, named in the message.
 */

/** Longest column name and categorical cell a prediction record may carry. */
export const MAX_FEATURE_NAME_CHARS = 128;
export const MAX_FEATURE_TEXT_CHARS = 256;
/** Most fields in one prediction record (wide tables have hundreds of columns). */
export const MAX_FEATURE_FIELDS = 1000;

const featureValueSchema = z.union(
  [
    z.number().finite('must be a finite number'),
    z.string().max(MAX_FEATURE_TEXT_CHARS, `must be at most ${MAX_FEATURE_TEXT_CHARS} characters`),
    z.boolean(),
    z.null(),
  ],
  { errorMap: () => ({ message: 'must be a number, a string, a boolean or null' }) },
);

/**
 * One feature record, keyed by column name. Only its shape is checked here;
 * the names, types, ranges and categories are checked against the deployed
 * version's signature by the service, with errors naming the field.
 */
export const featureRecordSchema = z
  .record(
    z
      .string()
      .min(1, 'field names must not be empty')
      .max(MAX_FEATURE_NAME_CHARS, `field names must be at most ${MAX_FEATURE_NAME_CHARS} characters`)
      .refine(k => k !== '__proto__', 'field name __proto__ is not allowed'),
    featureValueSchema,
  )
  .refine(r => Object.keys(r).length <= MAX_FEATURE_FIELDS, {
    message: `a record must have at most ${MAX_FEATURE_FIELDS} fields`,
  });

/** At most this many rows per predict call (keeps latency and bodies bounded). */
export const MAX_PREDICT_INSTANCES = 1000;

export const predictRequestSchema = z
  .object({
    instances: z
      .array(featureRecordSchema)
      .min(1, 'instances must hold at least one item')
      .max(MAX_PREDICT_INSTANCES, `instances must hold at most ${MAX_PREDICT_INSTANCES} items`),
  })
  .strict();

export const approvalRequestSchema = z
  .object({
    status: z.enum(['Approved', 'Rejected'], {
      errorMap: () => ({ message: 'status must be "Approved" or "Rejected"' }),
    }),
    comment: z
      .string({ required_error: 'comment is required', invalid_type_error: 'comment must be a string' })
      .trim()
      .min(1, 'comment is required')
      .max(1000, 'comment must be at most 1000 characters'),
    /**
     * Approvals only: how this deployment shifts traffic, overriding the
     * system's spec `deployment` (see `resolveDeploymentStrategy`).
     */
    deployment: deploymentStrategySchema.optional(),
  })
  .strict();

const parameterShape: Record<string, z.ZodTypeAny> = {};
for (const p of PIPELINE_PARAMETERS) {
  if (p.type === 'String') {
    parameterShape[p.name] = z
      .enum(p.allowed as [string, ...string[]], {
        errorMap: () => ({ message: `parameters.${p.name} must be one of ${p.allowed!.join(', ')}` }),
      })
      .optional();
  } else {
    let s = z.number({ invalid_type_error: `parameters.${p.name} must be a number` }).finite();
    if (p.type === 'Integer') s = s.int(`parameters.${p.name} must be an integer`);
    if (p.min !== undefined) s = s.min(p.min, `parameters.${p.name} must be ≥ ${p.min}`);
    if (p.max !== undefined) s = s.max(p.max, `parameters.${p.name} must be ≤ ${p.max}`);
    parameterShape[p.name] = s.optional();
  }
}

export const startExecutionRequestSchema = z
  .object({
    parameters: z.object(parameterShape).strict().optional(),
    displayName: z.string().trim().max(82).optional(),
  })
  .strict();

export type StartExecutionRequest = z.infer<typeof startExecutionRequestSchema>;
export type ApprovalRequest = z.infer<typeof approvalRequestSchema>;

/**
 * Turns a zod error into one readable sentence naming each field, e.g.
 * `instances.0.length: must be a finite number`.
 */
export function formatZodError(error: z.ZodError): string {
  return error.issues
    .map(i => {
      const path = i.path.join('.');
      if (i.code === 'unrecognized_keys') {
        return `${path ? `${path}: ` : ''}unknown field(s) ${i.keys.join(', ')}`;
      }
      return path ? `${path}: ${i.message}` : i.message;
    })
    .join('; ');
}
