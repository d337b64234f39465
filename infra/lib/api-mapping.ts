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

/** A decimal number as JSON writes it (no NaN, Infinity or hex, which parseDouble would also take). */
const NUMBER_PATTERN = '-?(\\d+(\\.\\d*)?|\\.\\d+)([eE][-+]?\\d+)?';

/** Body of the 502 when the model's answer is not one number per instance. */
export const MODEL_OUTPUT_ERROR_BODY =
  '{"message":"The model returned no usable prediction."}';

/**
 * XGBoost answers one prediction per row, separated by newlines or commas
 * depending on the container version; both are normalised to commas.
 * `#set($zero = 0.0)` gives a Double whose static parseDouble VTL can call.
 * A body with a value that is not a plain number (empty, "nan", an error
 * text) would make parseDouble throw, which API Gateway turns into a 500;
 * it is checked first and answered with the documented 502 instead.
 */
export function responseTemplate(
  endpointName: string,
  modelVersion: string,
): string {
  return [
    '#set($csv = $input.body.trim().replaceAll("[\\s,]+", ","))',
    '#set($values = $csv.split(","))',
    '#set($numeric = true)',
    `#foreach($v in $values)#if(!$v.matches("${NUMBER_PATTERN}"))#set($numeric = false)#end#end`,
    '#if(!$numeric)',
    '#set($context.responseOverride.status = 502)',
    MODEL_OUTPUT_ERROR_BODY,
    '#else',
    '#set($zero = 0.0)',
    '{"predictions":[',
    '#foreach($v in $values)',
    '#set($rings = $zero.parseDouble($v))',
    `#set($age = $rings + ${AGE_OFFSET_YEARS})`,
    '{"rings":$rings,"age":$age}#if($foreach.hasNext),#end',
    '#end',
    `],"endpointName":"${endpointName}","modelVersion":${modelVersion}}`,
    '#end',
  ].join('\n');
}

/**
 * Body of API Gateway's own 400 on a body that fails the model, naming the field.
 * escapeJavaScript also escapes ' as \', which JSON does not allow; API
 * Gateway's documentation says to turn it back, as done here.
 */
export const VALIDATION_ERROR_TEMPLATE =
  '{"message":"Invalid request body: $util.escapeJavaScript($context.error.validationErrorString).replaceAll("\\\\\'","\'")"}';
