/**
 * The prediction API's mapping templates rendered by Apache Velocity 1.7 with
 * API Gateway's $input/$util/$context (test/vtl/VtlHarness.java, run in
 * Java's source-file mode). Needs Java and Debian's `velocity` package
 * (scripts/ensure-system-deps.sh installs both); skips only without Java.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  MODEL_OUTPUT_ERROR_BODY,
  requestTemplate,
  responseTemplate,
  VALIDATION_ERROR_TEMPLATE,
} from '../lib/api-mapping';
import { loadSystem, ResolvedSystem } from '../lib/spec';
// The portal's own prediction shape (infra does not depend on the plugin; the test holds both to one shape).
import { toPrediction } from '../../plugins/mlops-common/src/signature';

const DEMO = path.join(__dirname, '..', '..', 'packages', 'demo-systems');
const abalone = loadSystem(path.join(DEMO, 'abalone', 'ml-system.yaml'));
const cancer = loadSystem(
  path.join(DEMO, 'breast-cancer', 'ml-system.yaml'),
  path.join(DEMO, 'breast-cancer', 'breast-cancer.csv'),
);
const penguins = loadSystem(path.join(DEMO, 'penguins', 'ml-system.yaml'));

/** What the portal's engines answer for a model score (toPrediction over the system's outputs). */
const portalPrediction = (system: ResolvedSystem, score: number | number[]) => {
  const { task, target, classes } = system.schema;
  return toPrediction(
    { task, target, classes, display: system.display },
    score,
  );
};

interface VtlCase {
  template: string;
  body: string;
  context?: Record<string, unknown>;
}
interface VtlResult {
  output: string | null;
  status: number | null;
  error: string | null;
}

const JARS = ['velocity.jar', 'commons-collections3.jar', 'commons-lang.jar'];
const JAVA_DIR = '/usr/share/java';
const hasJava = !spawnSync('java', ['-version']).error;
if (!hasJava) {
  // eslint-disable-next-line no-console
  console.warn(
    'vtl.test.ts skipped: no `java` on PATH (apt-get install default-jre-headless velocity)',
  );
}

function render(cases: VtlCase[]): VtlResult[] {
  const missing = JARS.filter(j => !fs.existsSync(path.join(JAVA_DIR, j)));
  if (missing.length) {
    throw new Error(
      `missing ${missing.join(', ')} in ${JAVA_DIR}: apt-get install velocity`,
    );
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vtl-'));
  const [input, output] = ['cases.json', 'results.json'].map(f =>
    path.join(dir, f),
  );
  fs.writeFileSync(input, JSON.stringify(cases));
  const run = spawnSync(
    'java',
    [
      '-cp',
      JARS.map(j => path.join(JAVA_DIR, j)).join(':'),
      path.join(__dirname, 'vtl', 'VtlHarness.java'),
      input,
      output,
    ],
    { encoding: 'utf8' },
  );
  if (run.status !== 0) throw new Error(`VtlHarness failed: ${run.stderr}`);
  return JSON.parse(fs.readFileSync(output, 'utf8'));
}

const instance = (sex: string, base: number) => ({
  sex,
  length: base,
  diameter: 0.365,
  height: 0.095,
  wholeWeight: 0.514,
  shuckedWeight: 0.2245,
  visceraWeight: 0.101,
  shellWeight: 0.15,
});

(hasJava ? describe : describe.skip)(
  'mapping templates in Velocity 1.7',
  () => {
    const response = responseTemplate(abalone, 'abalone-age-endpoint', '3');
    const bodies = [
      '9.5,10.25', // one line, comma-separated (XGBoost 1.x CSV)
      '9.5\n10.25\n', // one prediction per line
      ' 9.5 ,\n10.25\r\n', // stray spaces and CRLF
      '', // empty model answer
      '  \n', // whitespace only
      'nan,9.5', // NaN is not a JSON number
      'model error: bad input', // text instead of numbers
      '9.5,,', // trailing separators are tolerated
      '-1.5e1', // exponent
    ];
    let results: VtlResult[];

    beforeAll(() => {
      results = render([
        {
          template: requestTemplate(abalone),
          body: JSON.stringify({
            instances: [instance('M', 0.455), instance('I', 0.33)],
          }),
        },
        {
          template: VALIDATION_ERROR_TEMPLATE,
          body: '{}',
          context: {
            error: {
              validationErrorString:
                'instance value (0.455) for "sex" isn\'t one of [F, I, M]',
            },
          },
        },
        ...bodies.map(body => ({ template: response, body })),
      ]);
    });

    it('writes one CSV row per instance, features in data-set order', () => {
      expect(results[0]).toEqual({
        output:
          'M,0.455,0.365,0.095,0.514,0.2245,0.101,0.15\nI,0.33,0.365,0.095,0.514,0.2245,0.101,0.15\n',
        status: null,
        error: null,
      });
    });

    it('escapes the validation message into valid JSON', () => {
      expect(results[1].error).toBeNull();
      expect(JSON.parse(results[1].output!)).toEqual({
        message:
          'Invalid request body: instance value (0.455) for "sex" isn\'t one of [F, I, M]',
      });
    });

    it('answers comma- and newline-separated predictions with rings and age, as the portal does', () => {
      const expected = {
        predictions: [
          {
            rings: 9.5,
            value: 9.5,
            display: { value: 11, label: 'Age', unit: 'years' },
            age: 11,
          },
          {
            rings: 10.25,
            value: 10.25,
            display: { value: 11.75, label: 'Age', unit: 'years' },
            age: 11.75,
          },
        ],
        endpointName: 'abalone-age-endpoint',
        modelVersion: 3,
      };
      for (const r of results.slice(2, 5)) {
        expect(r.status).toBeNull();
        expect(JSON.parse(r.output!)).toEqual(expected);
      }
      expect(expected.predictions).toEqual(
        [9.5, 10.25].map(y => portalPrediction(abalone, y)),
      );
      expect(JSON.parse(results[9].output!).predictions).toEqual([
        portalPrediction(abalone, 9.5),
      ]);
      expect(JSON.parse(results[10].output!).predictions).toEqual([
        portalPrediction(abalone, -15),
      ]);
    });

    it('turns an empty or non-numeric model answer into the documented 502, not a template error (500)', () => {
      for (const [i, body] of bodies.entries()) {
        if (![3, 4, 5, 6].includes(i)) continue;
        const r = results[i + 2];
        expect({ body, error: r.error, status: r.status }).toEqual({
          body,
          error: null,
          status: 502,
        });
        expect(JSON.parse(r.output!)).toEqual(
          JSON.parse(MODEL_OUTPUT_ERROR_BODY),
        );
      }
    });

    it('the harness reports what API Gateway turns into a 500: a template that throws', () => {
      const [r] = render([
        { template: '#set($zero = 0.0)$zero.parseDouble("x")', body: '' },
      ]);
      expect(r.error).toMatch(/NumberFormatException/);
    });

    describe('classifier responses', () => {
      const binary = responseTemplate(cancer, 'breast-cancer-classifier', '2');
      const multi = responseTemplate(
        penguins,
        'penguin-species-classifier',
        '5',
      );
      let out: VtlResult[];
      beforeAll(() => {
        const penguin = {
          island: 'Dream',
          bill_length_mm: 39.5,
          bill_depth_mm: 17.4,
          flipper_length_mm: 186,
          body_mass_g: 3800,
          sex: 'FEMALE',
        };
        out = render([
          { template: binary, body: '0.93\n0.021\n' },
          // multi:softprob: k probabilities per row; brackets, commas or lines
          { template: multi, body: '[0.1, 0.7, 0.2]\n[0.8, 0.15, 0.05]' },
          { template: multi, body: '0.1,0.7,0.2,0.8,0.15,0.05' },
          { template: multi, body: '0.1,0.7' }, // not a multiple of 3 classes
          { template: binary, body: 'nan' },
          {
            template: requestTemplate(penguins),
            body: JSON.stringify({ instances: [penguin] }),
          },
          { template: binary, body: '0.5' },
        ]);
      });

      it('answers a binary classifier with the label, its probability and both classes', () => {
        expect(out[0].error).toBeNull();
        expect(JSON.parse(out[0].output!)).toEqual({
          predictions: [
            {
              diagnosis: 'malignant',
              value: 'malignant',
              probability: 0.93,
              probabilities: {
                benign: expect.closeTo(0.07, 12),
                malignant: 0.93,
              },
            },
            {
              diagnosis: 'benign',
              value: 'benign',
              probability: expect.closeTo(0.979, 12),
              probabilities: {
                benign: expect.closeTo(0.979, 12),
                malignant: 0.021,
              },
            },
          ],
          endpointName: 'breast-cancer-classifier',
          modelVersion: 2,
        });
        // The same as the portal's engines answer, but for the predicted class's probability.
        const served = JSON.parse(out[0].output!).predictions.map(
          ({ probability: _, ...rest }: Record<string, unknown>) => rest,
        );
        expect(served).toEqual(
          [0.93, 0.021].map(p => portalPrediction(cancer, p)),
        );
      });

      it('breaks a binary tie as the portal does (the first class)', () => {
        expect(JSON.parse(out[6].output!).predictions[0]).toMatchObject({
          ...portalPrediction(cancer, 0.5),
          diagnosis: 'benign',
        });
      });

      it('answers a multiclass classifier with the most probable class per row, whatever the separators', () => {
        const expected = {
          predictions: [
            {
              species: 'Chinstrap',
              value: 'Chinstrap',
              probability: 0.7,
              probabilities: { Adelie: 0.1, Chinstrap: 0.7, Gentoo: 0.2 },
            },
            {
              species: 'Adelie',
              value: 'Adelie',
              probability: 0.8,
              probabilities: { Adelie: 0.8, Chinstrap: 0.15, Gentoo: 0.05 },
            },
          ],
          endpointName: 'penguin-species-classifier',
          modelVersion: 5,
        };
        for (const r of out.slice(1, 3)) {
          expect(r.error).toBeNull();
          expect(JSON.parse(r.output!)).toEqual(expected);
        }
        expect(
          expected.predictions.map(({ probability: _, ...rest }) => rest),
        ).toEqual(
          [
            [0.1, 0.7, 0.2],
            [0.8, 0.15, 0.05],
          ].map(p => portalPrediction(penguins, p)),
        );
      });

      it('answers the documented 502 for an answer that does not fit the classes', () => {
        for (const r of [out[3], out[4]]) {
          expect({ error: r.error, status: r.status }).toEqual({
            error: null,
            status: 502,
          });
          expect(JSON.parse(r.output!)).toEqual(
            JSON.parse(MODEL_OUTPUT_ERROR_BODY),
          );
        }
      });

      it("writes a classifier's request in the spec's input order", () => {
        expect(out[5].output).toBe('Dream,39.5,17.4,186,3800,FEMALE\n');
      });
    });
  },
);
