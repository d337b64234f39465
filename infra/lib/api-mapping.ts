/**
 * API Gateway mapping for the prediction API: the JSON request model, the
 * VTL that turns JSON instances into the CSV rows the inference pipeline
 * reads, and the VTL that turns the CSV predictions back into JSON.
 */
import {
  AGE_OFFSET_YEARS,
  FEATURE_COLUMNS,
  FEATURE_RANGES,
  MAX_PREDICT_INSTANCES,
  SEX_VALUES,
} from './config';

/** JSON schema (draft 4, as API Gateway models require) of POST /predict. */
export function predictRequestSchema(): Record<string, unknown> {
  const numeric = Object.fromEntries(
    Object.entries(FEATURE_RANGES).map(([key, r]) => [
      key,
      { type: 'number', minimum: r.min, maximum: r.max },
    ]),
  );
  return {
    $schema: 'http://json-schema.org/draft-04/schema#',
    title: 'PredictRequest',
    type: 'object',
    required: ['instances'],
    additionalProperties: false,
    properties: {
      instances: {
        type: 'array',
        minItems: 1,
        maxItems: MAX_PREDICT_INSTANCES,
        items: {
          type: 'object',
          required: [...FEATURE_COLUMNS],
          additionalProperties: false,
          properties: {
            sex: { type: 'string', enum: [...SEX_VALUES] },
            ...numeric,
          },
        },
      },
    },
  };
}

/** One CSV row per instance, columns in FEATURE_COLUMNS order (what preprocess/inference.py read). */
export function requestTemplate(): string {
  const row = FEATURE_COLUMNS.map(c => `$i.${c}`).join(',');
  return [
    "#set($instances = $input.path('$.instances'))",
    '#foreach($i in $instances)',
    row,
    '#end',
  ].join('\n');
}

/**
 * XGBoost answers one prediction per row, separated by newlines or commas
 * depending on the container version; both are normalised to commas.
 * `#set($zero = 0.0)` gives a Double whose static parseDouble VTL can call.
 */
export function responseTemplate(
  endpointName: string,
  modelVersion: string,
): string {
  return [
    '#set($csv = $input.body.trim().replaceAll("[\\s,]+", ","))',
    '#set($zero = 0.0)',
    '{"predictions":[',
    '#foreach($v in $csv.split(","))',
    '#set($rings = $zero.parseDouble($v))',
    `#set($age = $rings + ${AGE_OFFSET_YEARS})`,
    '{"rings":$rings,"age":$age}#if($foreach.hasNext),#end',
    '#end',
    `],"endpointName":"${endpointName}","modelVersion":${modelVersion}}`,
  ].join('\n');
}

/** Body of API Gateway's own 400 on a body that fails the model, naming the field. */
export const VALIDATION_ERROR_TEMPLATE =
  '{"message":"Invalid request body: $util.escapeJavaScript($context.error.validationErrorString)"}';
