import { screen } from '@testing-library/react';
import { renderInTestApp } from '@backstage/test-utils';
import { AsyncContent } from './AsyncContent';

const render = (state: {
  value?: string[] | null;
  loading: boolean;
  error?: Error;
}) =>
  renderInTestApp(
    <AsyncContent
      state={state}
      isEmpty={v => v.length === 0}
      empty={{ title: 'No items yet', description: 'Add one.' }}
    >
      {v => <ul aria-label="items">{v.join(',')}</ul>}
    </AsyncContent>,
  );

describe('AsyncContent', () => {
  it('shows progress until a first value arrives', async () => {
    await render({ loading: true });
    expect(screen.getByTestId('progress')).toBeInTheDocument();
    expect(screen.queryByLabelText('items')).not.toBeInTheDocument();
  });

  it('keeps the value on screen while it reloads (no spinner)', async () => {
    await render({ value: ['a', 'b'], loading: true });
    expect(screen.getByLabelText('items')).toHaveTextContent('a,b');
    expect(screen.queryByTestId('progress')).not.toBeInTheDocument();
  });

  it('shows the empty state for an empty or null value', async () => {
    const { unmount } = await render({ value: [], loading: false });
    expect(screen.getByText('No items yet')).toBeInTheDocument();
    expect(screen.getByText('Add one.')).toBeInTheDocument();
    unmount();
    await render({ value: null, loading: false });
    expect(screen.getByText('No items yet')).toBeInTheDocument();
  });

  it('shows an error without a value, and above the last value after a failed reload', async () => {
    const { unmount } = await render({
      loading: false,
      error: new Error('backend down'),
    });
    expect(screen.getAllByText(/backend down/).length).toBeGreaterThan(0);
    expect(screen.queryByLabelText('items')).not.toBeInTheDocument();
    unmount();
    await render({
      value: ['a'],
      loading: false,
      error: new Error('reload failed'),
    });
    expect(screen.getAllByText(/reload failed/).length).toBeGreaterThan(0);
    expect(screen.getByLabelText('items')).toHaveTextContent('a');
  });
});
