/**
 * API Gateway mapping for a system's prediction API, generated from its
 * resolved spec: the JSON request model, the VTL that turns JSON instances
 * into the CSV rows the inference pipeline reads (signature order), and the
 * VTL that turns the model's CSV answer back into JSON by task, in the
 * shape of -common's toPrediction:
 *   regression  {"<target>": v, "value": v, "display": {value: v × scale + offset, label, unit}, "<output.name>": shown}
 *   binary      {"<target>": label, "value": label, "probability": p(label), "probabilities": {class: p, …}}
 *   multiclass  the same with every class (the most probable one is the label)
 */
import type { ColumnSchema } from '@mlops-portal/ml-core';
import { MAX_PREDICT_INSTANCES } from './config';
import { ResolvedSystem } from './spec';

/** Characters that would break the CSV row, the JSON body or the VTL around a category or class. */
const UNSAFE = /[,"\\$#\r\n]/;

function checkSafe(system: ResolvedSystem): void {
  for (const c of system.inputs)
    for (const v of c.categories ?? [])
      if (UNSAFE.test(v))
        throw new Error(
          `${system.name}: spec.dataset.columns ${
            c.name
          }: category ${JSON.stringify(
            v,
          )} contains one of , " \\ $ # or a line break, which the prediction API cannot pass through`,
        );
  // Display text is written with JSON.stringify; only Velocity's own $ and # would break it.
  const d = system.display;
  for (const [field, v] of [
    ['label', d?.label],
    ['unit', d?.unit],
  ] as const)
    if (v !== undefined && /[$#]/.test(v))
      throw new Error(
        `${system.name}: spec.prediction.output.${field}: ${JSON.stringify(
          v,
        )} contains $ or #, which the prediction API's template cannot pass through`,
      );
  for (const v of system.schema.classes ?? [])
    if (UNSAFE.test(v))
      throw new Error(
        `${system.name}: spec.dataset.classes: ${JSON.stringify(
          v,
        )} contains one of , " \\ $ # or a line break`,
      );
}

function propertySchema(c: ColumnSchema): Record<string, unknown> {
  if (c.type === 'boolean') return { type: 'boolean' };
  if (c.type === 'categorical')
    return c.categories
      ? { type: 'string', enum: [...c.categories] }
      : { type: 'string', minLength: 1, maxLength: 256 };
  const out: Record<string, unknown> = { type: 'number' };
  if (c.min !== undefined) out.minimum = c.min;
  if (c.max !== undefined) out.maximum = c.max;
  return out;
}

/** JSON schema (draft 4, as API Gateway models require) of POST /predict. */
export function predictRequestSchema(
  system: ResolvedSystem,
): Record<string, unknown> {
  checkSafe(system);
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
          required: system.inputs.map(c => c.name),
          additionalProperties: false,
          properties: Object.fromEntries(
            system.inputs.map(c => [c.name, propertySchema(c)]),
          ),
        },
      },
    },
  };
}

/** One CSV row per instance, inputs in signature order (what inference.py reads). */
export function requestTemplate(system: ResolvedSystem): string {
  checkSafe(system);
  const row = system.inputs.map(c => `$i.${c.name}`).join(',');
  return [
    "#set($instances = $input.path('$.instances'))",
    '#foreach($i in $instances)',
    row,
    '#end',
  ].join('\n');
}

/** A decimal number as JSON writes it (no NaN, Infinity or hex, which parseDouble would also take). */
const NUMBER_PATTERN = '-?(\\d+(\\.\\d*)?|\\.\\d+)([eE][-+]?\\d+)?';

/** Body of the 502 when the model's answer is not the numbers the task expects. */
export const MODEL_OUTPUT_ERROR_BODY =
  '{"message":"The model returned no usable prediction."}';

/**
 * Field under which a regression prediction also carries its display value
 * (the spec's `prediction.output.name`, e.g. `age`); skipped when it would
 * shadow `value`, `display` or the target, as toPrediction does.
 */
export function displayKey(system: ResolvedSystem): string | undefined {
  const name = system.display?.name;
  return name && !['value', 'display', system.schema.target].includes(name)
    ? name
    : undefined;
}

/** VTL list literal of the class labels. */
const labelList = (classes: string[]) =>
  `[${classes.map(c => `"${c}"`).join(',')}]`;

/**
 * Each prediction has the shape of -common's toPrediction (the portal's
 * engines answer the same): regression `{<target>, value, display?,
 * <display name>?}`, classifiers `{<target>, value, probabilities}` plus
 * `probability` of the predicted class.
 */
function regressionRows(system: ResolvedSystem): string[] {
  const target = system.schema.target;
  const d = system.display;
  if (!d) {
    return [
      '#foreach($v in $values)',
      '#set($y = $zero.parseDouble($v))',
      `{"${target}":$y,"value":$y}#if($foreach.hasNext),#end`,
      '#end',
    ];
  }
  const key = displayKey(system);
  const shown = [
    '"value":$shown',
    ...(d.label !== undefined ? [`"label":${JSON.stringify(d.label)}`] : []),
    ...(d.unit !== undefined ? [`"unit":${JSON.stringify(d.unit)}`] : []),
  ].join(',');
  return [
    '#foreach($v in $values)',
    '#set($y = $zero.parseDouble($v))',
    `#set($shown = $y * ${d.scale ?? 1} + ${d.offset ?? 0})`,
    `{"${target}":$y,"value":$y,"display":{${shown}}${
      key ? `,"${key}":$shown` : ''
    }}#if($foreach.hasNext),#end`,
    '#end',
  ];
}

function binaryRows(system: ResolvedSystem): string[] {
  const [negative, positive] = system.schema.classes!;
  const target = system.schema.target;
  // binary:logistic answers p(classes[1]) per instance; a tie goes to classes[0], as in toPrediction.
  return [
    '#foreach($v in $values)',
    '#set($p = $zero.parseDouble($v))',
    '#set($q = 1.0 - $p)',
    `#if($p > $q)#set($label = "${positive}")#set($best = $p)#else#set($label = "${negative}")#set($best = $q)#end`,
    `{"${target}":"$label","value":"$label","probability":$best,"probabilities":{"${negative}":$q,"${positive}":$p}}#if($foreach.hasNext),#end`,
    '#end',
  ];
}

function multiclassRows(system: ResolvedSystem): string[] {
  const classes = system.schema.classes!;
  const target = system.schema.target;
  const k = classes.length;
  // multi:softprob answers k probabilities per instance, in class-index order.
  return [
    `#set($labels = ${labelList(classes)})`,
    `#set($last = $values.size() / ${k} - 1)`,
    '#foreach($r in [0..$last])',
    '#set($best = -1.0)',
    `#foreach($j in [0..${k - 1}])`,
    `#set($index = $r * ${k} + $j)`,
    '#set($x = $zero.parseDouble($values.get($index)))',
    '#if($x > $best)#set($best = $x)#set($label = $labels.get($j))#end',
    '#end',
    `{"${target}":"$label","value":"$label","probability":$best,"probabilities":{#foreach($j in [0..${
      k - 1
    }])#set($index = $r * ${k} + $j)"$labels.get($j)":$zero.parseDouble($values.get($index))#if($foreach.hasNext),#end#end}}#if($foreach.hasNext),#end`,
    '#end',
  ];
}

/**
 * The model's CSV answer as JSON. XGBoost separates predictions by newlines
 * or commas depending on the container version, and may bracket a row of
 * class probabilities; all are normalised to one comma-separated list.
 * `#set($zero = 0.0)` gives a Double whose static parseDouble VTL can call.
 * A body with a value that is not a plain number (empty, "nan", an error
 * text), or a multiclass answer whose count is not a multiple of the class
 * count, would throw or mislead; it is answered with the documented 502.
 */
export function responseTemplate(
  system: ResolvedSystem,
  endpointName: string,
  modelVersion: string,
): string {
  checkSafe(system);
  const task = system.schema.task;
  const countCheck =
    task === 'multiclass'
      ? [
          `#if($values.size() % ${
            system.schema.classes!.length
          } != 0)#set($numeric = false)#end`,
        ]
      : [];
  const rows =
    task === 'regression'
      ? regressionRows(system)
      : task === 'binary'
      ? binaryRows(system)
      : multiclassRows(system);
  return [
    '#set($csv = $input.body.replaceAll("[\\[\\]]", " ").trim().replaceAll("[\\s,]+", ","))',
    '#set($values = $csv.split(","))',
    '#set($numeric = true)',
    `#foreach($v in $values)#if(!$v.matches("${NUMBER_PATTERN}"))#set($numeric = false)#end#end`,
    ...countCheck,
    '#if(!$numeric)',
    '#set($context.responseOverride.status = 502)',
    MODEL_OUTPUT_ERROR_BODY,
    '#else',
    '#set($zero = 0.0)',
    '{"predictions":[',
    ...rows,
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
