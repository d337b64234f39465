import { fireEvent, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ResponseError } from '@backstage/errors';
import { mlopsEndpointInvokePermission } from '@mlops-portal/plugin-mlops-common';
import { entityRef } from '../../__fixtures__';
import {
  createMockMlopsApi,
  renderWithEntity,
} from '../../__testUtils__/testApp';
import { PredictionCard, toReal, validateFeature } from './PredictionCard';

describe('PredictionCard', () => {
  it('converts mm/g to data set units (÷200) and shows age, rings and version', async () => {
    const { api } = await renderWithEntity(<PredictionCard />);
    // The typical adult is preloaded: 0.455 × 200 = 91 mm.
    expect(screen.getByLabelText('Length')).toHaveValue('91');
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
      screen.getByRole('button', { name: 'Example: young (infant)' }),
    );
    expect(screen.getByLabelText('Length')).toHaveValue('66');
    await userEvent.click(
      screen.getByRole('button', { name: 'Example: large old female' }),
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
    fireEvent.change(screen.getByLabelText('Length'), {
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
    expect(validateFeature('length', '91')).toBeUndefined();
    expect(validateFeature('diameter', '-1')).toBe('Diameter must be ≥ 0 mm');
    expect(validateFeature('wholeWeight', '701')).toBe(
      'Whole weight must be ≤ 700 g',
    );
  });
});
