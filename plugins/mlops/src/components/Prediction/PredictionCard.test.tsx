import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ResponseError } from '@backstage/errors';
import { mlopsEndpointInvokePermission } from '@mlops-portal/plugin-mlops-common';
import {
  abaloneSignature,
  breastCancerSignature,
  entityRef,
  penguinsPredictResponse,
  penguinsSignature,
} from '../../__fixtures__';
import {
  createMockMlopsApi,
  httpError,
  renderWithEntity,
} from '../../__testUtils__/testApp';
import { PredictionCard, toDisplay, validateFeature } from './PredictionCard';

const col = (name: string) =>
  abaloneSignature.inputs.find(c => c.name === name)!;
const toReal = (v: number) => toDisplay(col('length'), v);

describe('PredictionCard', () => {
  it('converts mm/g to data set units (÷200) and shows age, rings and version', async () => {
    const { api } = await renderWithEntity(<PredictionCard />);
    // The typical adult is preloaded: 0.455 × 200 = 91 mm.
    expect(await screen.findByLabelText('Length')).toHaveValue('91');
    // built from the deployed version's signature
    expect(api.getModelSignature).toHaveBeenCalledWith(entityRef, 2);
    expect(screen.getByText(/divided by 200/)).toBeInTheDocument();
    // Its predictions are tagged by the client and kept out of monitoring.
    expect(
      screen.getByText(/left out of the endpoint's monitoring/),
    ).toBeInTheDocument();
    const predict = screen.getByRole('button', { name: 'Predict' });
    await waitFor(() => expect(predict).toBeEnabled());
    await userEvent.click(predict);
    const result = await screen.findByTestId('prediction-result');
    expect(result).toHaveTextContent('Predicted age: 11.4 years');
    expect(result).toHaveTextContent('9.9 rings');
    expect(result).toHaveTextContent('model version 2');
    const [ref, body] = api.predict.mock.calls[0];
    expect(ref).toBe(entityRef);
    expect(body.instances).toHaveLength(1);
    expect(body.instances[0].sex).toBe('M');
    expect(body.instances[0].length).toBeCloseTo(0.455, 10);
    expect(body.instances[0].shuckedWeight).toBeCloseTo(0.2245, 10);
  });

  it('fills the form from presets', async () => {
    const { api } = await renderWithEntity(<PredictionCard />);
    await userEvent.click(
      await screen.findByRole('button', { name: 'Example 2 (rings 7)' }),
    );
    expect(screen.getByLabelText('Length')).toHaveValue('66');
    await userEvent.click(
      screen.getByRole('button', { name: 'Example 3 (rings 19)' }),
    );
    expect(screen.getByLabelText('Whole weight')).toHaveValue('334');
    await waitFor(() =>
      expect(screen.getByRole('button', { name: 'Predict' })).toBeEnabled(),
    );
    await userEvent.click(screen.getByRole('button', { name: 'Predict' }));
    await waitFor(() => expect(api.predict).toHaveBeenCalled());
    expect(api.predict.mock.calls[0][1].instances[0]).toMatchObject({
      sex: 'F',
      wholeWeight: 1.67,
    });
  });

  it('validates each measurement inline and blocks Predict', async () => {
    const { api } = await renderWithEntity(<PredictionCard />);
    fireEvent.change(await screen.findByLabelText('Length'), {
      target: { value: '250' },
    });
    fireEvent.change(screen.getByLabelText('Height'), {
      target: { value: 'tall' },
    });
    fireEvent.change(screen.getByLabelText('Shell weight'), {
      target: { value: '' },
    });
    expect(screen.getByText('Length must be ≤ 200 mm')).toBeInTheDocument();
    expect(screen.getByText('Height must be a number')).toBeInTheDocument();
    expect(screen.getByText('Shell weight is required')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Predict' })).toBeDisabled();
    expect(api.predict).not.toHaveBeenCalled();
  });

  it('explains a 503 (nothing deployed) and shows other errors as is', async () => {
    const response = new Response(
      JSON.stringify({
        error: {
          name: 'ServiceUnavailableError',
          message: 'no model is deployed',
        },
        request: { method: 'POST', url: '/predict' },
        response: { statusCode: 503 },
      }),
      { status: 503, headers: { 'Content-Type': 'application/json' } },
    );
    const err = await ResponseError.fromResponse(response as any);
    const api = createMockMlopsApi({
      predict: jest.fn(async () => {
        throw err;
      }),
    });
    await renderWithEntity(<PredictionCard />, { api });
    await waitFor(() =>
      expect(screen.getByRole('button', { name: 'Predict' })).toBeEnabled(),
    );
    await userEvent.click(screen.getByRole('button', { name: 'Predict' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Nothing is deployed yet',
    );
  });

  it('disables Predict with the reason when invoking is not allowed', async () => {
    await renderWithEntity(<PredictionCard />, {
      allowed: name => name !== mlopsEndpointInvokePermission.name,
    });
    await waitFor(() =>
      expect(screen.getByRole('button', { name: 'Predict' })).toBeDisabled(),
    );
    expect(screen.getByLabelText(/not allowed to invoke/)).toBeInTheDocument();
  });
});

describe('feature helpers', () => {
  it('converts and validates in real units', () => {
    expect(toReal(0.455)).toBe(91);
    expect(toReal(0.2245)).toBe(44.9);
    expect(validateFeature(col('length'), '91')).toBeUndefined();
    expect(validateFeature(col('diameter'), '-1')).toBe(
      'Diameter must be ≥ 0 mm',
    );
    expect(validateFeature(col('wholeWeight'), '701')).toBe(
      'Whole weight must be ≤ 700 g',
    );
  });
});

describe('PredictionCard from a classifier signature', () => {
  it('builds selects for categories (missing allowed where training had it) and shows class probabilities', async () => {
    const { api } = await renderWithEntity(<PredictionCard />, {
      api: createMockMlopsApi({
        getModelSignature: jest.fn(async () => penguinsSignature),
        predict: jest.fn(async () => penguinsPredictResponse),
      }),
    });
    // first example preloaded; numbers keep their unit, no ÷ note without scales
    expect(await screen.findByLabelText('Bill length')).toHaveValue('39.1');
    expect(screen.queryByText(/divided by/)).toBeNull();
    expect(screen.getByText(/training data 32.1–59.6 mm/)).toBeInTheDocument();
    // the second example has a missing sex: the select shows it as missing
    await userEvent.click(
      screen.getByRole('button', { name: 'Example 2 (species Gentoo)' }),
    );
    expect(screen.getByLabelText('Flipper length')).toHaveValue('211');
    await userEvent.click(screen.getByLabelText('Island'));
    const options = await screen.findAllByRole('option');
    expect(options.map(o => o.textContent)).toEqual([
      'Biscoe',
      'Dream',
      'Torgersen',
    ]);
    await userEvent.click(screen.getByRole('option', { name: 'Dream' }));
    await userEvent.click(screen.getByLabelText('Sex'));
    expect(
      (await screen.findAllByRole('option')).map(o => o.textContent),
    ).toEqual(['missing', 'Female (FEMALE)', 'Male (MALE)']);
    await userEvent.click(screen.getByRole('option', { name: 'missing' }));
    await waitFor(() =>
      expect(screen.getByRole('button', { name: 'Predict' })).toBeEnabled(),
    );
    await userEvent.click(screen.getByRole('button', { name: 'Predict' }));
    const result = await screen.findByTestId('prediction-result');
    expect(result).toHaveTextContent('Predicted species: Gentoo');
    expect(result).toHaveTextContent('model version 4');
    const bars = within(result).getAllByRole('listitem');
    // most likely class first, each with its share
    expect(bars.map(b => b.textContent)).toEqual([
      'Gentoo95.0%',
      'Adelie4.0%',
      'Chinstrap1.0%',
    ]);
    expect(api.predict.mock.calls[0][1].instances[0]).toEqual({
      island: 'Dream',
      bill_length_mm: 46.1,
      bill_depth_mm: 13.2,
      flipper_length_mm: 211,
      body_mass_g: 4500,
      sex: null,
    });
  });

  it('shows the API error naming the field (400)', async () => {
    await renderWithEntity(<PredictionCard />, {
      api: createMockMlopsApi({
        getModelSignature: jest.fn(async () => breastCancerSignature),
        predict: jest.fn(async () => {
          throw Object.assign(
            new Error('instances[0].mean_radius: must be ≤ 50'),
            { statusCode: 400 },
          );
        }),
      }),
    });
    expect(await screen.findByLabelText('Mean radius')).toHaveValue('17.99');
    await waitFor(() =>
      expect(screen.getByRole('button', { name: 'Predict' })).toBeEnabled(),
    );
    await userEvent.click(screen.getByRole('button', { name: 'Predict' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'instances[0].mean_radius: must be ≤ 50',
    );
  });

  it('says what to do when nothing is deployed or the version has no signature', async () => {
    const { unmount } = await renderWithEntity(<PredictionCard />, {
      api: createMockMlopsApi({
        getDeployments: jest.fn(async () => ({ deployments: [] })),
      }),
    });
    expect(
      await screen.findByText(/Nothing is deployed yet/),
    ).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Predict' })).toBeNull();
    unmount();
    await renderWithEntity(<PredictionCard />, {
      api: createMockMlopsApi({
        getModelSignature: jest.fn(async () => {
          throw httpError(404, 'version 2 has no signature');
        }),
      }),
    });
    expect(
      await screen.findByText(/Model version 2 has no signature/),
    ).toBeInTheDocument();
  });

  it('says so when the engine cannot give signatures (501)', async () => {
    await renderWithEntity(<PredictionCard />, {
      api: createMockMlopsApi({
        getModelSignature: jest.fn(async () => {
          throw httpError(501, 'not implemented');
        }),
      }),
    });
    expect(
      await screen.findByText(/does not describe its models' inputs/),
    ).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Predict' })).toBeNull();
  });
});
