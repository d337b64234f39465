import { z } from 'zod/v3';
import { FEATURE_INFO, NUMERIC_FEATURES, SEX_VALUES } from './features';
import { PIPELINE_PARAMETERS } from './parameters';

/**
 * Request body schemas shared by the router (validation) and clients.
 * Schemas are strict: unknown fields are an error, named in the message.
 */

const numericFeature = (key: (typeof NUMERIC_FEATURES)[number]) => {
  const info = FEATURE_INFO[key];
  return z
    .number({ invalid_type_error: `${key} must be a number`, required_error: `${key} is required` })
    .finite(`${key} must be a finite number`)
    .min(info.min, `${key} must be ≥ ${info.min} (data set units: ${info.unit}/200)`)
    .max(info.max, `${key} must be ≤ ${info.max} (data set units: ${info.unit}/200; data set max ${info.datasetMax})`);
};

export const abaloneFeaturesSchema = z
  .object({
    sex: z.enum(SEX_VALUES, {
      errorMap: () => ({ message: `sex must be one of ${SEX_VALUES.join(', ')}` }),
    }),
    length: numericFeature('length'),
    diameter: numericFeature('diameter'),
    height: numericFeature('height'),
    wholeWeight: numericFeature('wholeWeight'),
    shuckedWeight: numericFeature('shuckedWeight'),
    visceraWeight: numericFeature('visceraWeight'),
    shellWeight: numericFeature('shellWeight'),
  })
  .strict();

/** At most this many rows per predict call (keeps latency and bodies bounded). */
export const MAX_PREDICT_INSTANCES = 1000;

export const predictRequestSchema = z
  .object({
    instances: z
      .array(abaloneFeaturesSchema)
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
 * `instances.0.length: length must be ≤ 1`.
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
