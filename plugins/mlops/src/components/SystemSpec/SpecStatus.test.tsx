import { screen, waitFor, within } from '@testing-library/react';
import { mlopsEntity } from '../../__fixtures__';
import {
  createMockMlopsApi,
  httpError,
  renderWithEntity,
} from '../../__testUtils__/testApp';
import { EntityMlopsContent } from '../EntityMlopsContent/EntityMlopsContent';
import { SpecStatus } from './SpecStatus';

const withSpec = {
  ...mlopsEntity,
  metadata: {
    ...mlopsEntity.metadata,
    annotations: {
      ...mlopsEntity.metadata.annotations,
      'mlops.io/spec': './ml-system.yaml',
    },
  },
};

/** An error as MlopsClient throws it: status plus the backend's body. */
function specError(status: number, error: object) {
  return Object.assign(httpError(status, `Request failed with ${status}`), {
    body: { error },
  });
}

describe('SpecStatus', () => {
  it('lists the field problems of an invalid spec', async () => {
    const api = createMockMlopsApi({
      getSpec: jest.fn(async () => {
        throw specError(422, {
          name: 'SpecValidationError',
          message: 'not a valid ML system spec: 2 problems',
          problems: [
            {
              path: 'spec.dataset.task',
              message: 'must be one of regression, binary, multiclass',
            },
            { path: 'spec.gate.comparison', message: 'must be one of …' },
          ],
        });
      }),
    });
    await renderWithEntity(<SpecStatus />, { api, entity: withSpec });
    expect(
      await screen.findByText(/ML system spec \.\/ml-system\.yaml is invalid/),
    ).toBeInTheDocument();
    const list = screen.getByRole('list', { name: 'Spec problems' });
    expect(within(list).getAllByRole('listitem')).toHaveLength(2);
    expect(list).toHaveTextContent(
      'spec.dataset.task: must be one of regression',
    );
    expect(api.getSpec).toHaveBeenCalledWith(
      'component:default/abalone-age-predictor',
    );
  });

  it('says why a spec cannot be read', async () => {
    const api = createMockMlopsApi({
      getSpec: jest.fn(async () => {
        throw specError(403, {
          name: 'NotAllowedError',
          message:
            'mlops.io/spec ./ml-system.yaml: reading this location is not allowed',
        });
      }),
    });
    await renderWithEntity(<SpecStatus />, { api, entity: withSpec });
    expect(
      await screen.findByText(
        /ML system spec \.\/ml-system\.yaml cannot be read/,
      ),
    ).toBeInTheDocument();
    expect(
      screen.getAllByText(/reading this location is not allowed/).length,
    ).toBeGreaterThan(0);
  });

  it('shows nothing for a valid spec, and asks nothing without the annotation', async () => {
    const api = createMockMlopsApi();
    const valid = await renderWithEntity(<SpecStatus />, {
      api,
      entity: withSpec,
    });
    await waitFor(() => expect(api.getSpec).toHaveBeenCalledTimes(1));
    expect(valid.container).toBeEmptyDOMElement();
    valid.unmount();

    const none = createMockMlopsApi();
    const rendered = await renderWithEntity(<SpecStatus />, {
      api: none,
    });
    expect(rendered.container).toBeEmptyDOMElement();
    expect(none.getSpec).not.toHaveBeenCalled();
  });

  it('keeps every card of the tab when the spec is invalid', async () => {
    const api = createMockMlopsApi({
      getSpec: jest.fn(async () => {
        throw specError(422, {
          name: 'SpecValidationError',
          message: 'invalid',
          problems: [{ path: 'kind', message: 'must be MLSystem' }],
        });
      }),
    });
    await renderWithEntity(<EntityMlopsContent />, { api, entity: withSpec });
    expect(
      await screen.findByText(/ML system spec \.\/ml-system\.yaml is invalid/),
    ).toBeInTheDocument();
    expect(
      await screen.findByRole('table', { name: 'Pipeline runs' }),
    ).toBeInTheDocument();
  });
});
