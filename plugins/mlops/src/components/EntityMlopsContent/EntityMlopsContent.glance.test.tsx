import { screen, waitFor, within } from '@testing-library/react';
import { renderWithEntity } from '../../__testUtils__/testApp';
import { EntityMlopsContent } from './EntityMlopsContent';

// The prediction widget is being made signature-driven in another change and
// does not render against today's fixtures; the tab's layout and deep links
// do not depend on it.
jest.mock('../Prediction/PredictionCard', () => ({
  PredictionCard: () => <div data-testid="prediction-card" />,
}));

describe('EntityMlopsContent at a glance', () => {
  it('puts the strip, registry, deployments and monitoring above the graphs, each card with its anchor', async () => {
    const { container } = await renderWithEntity(<EntityMlopsContent />);
    expect(await screen.findByTestId('glance-serving')).toBeInTheDocument();
    const order = [
      'status',
      'model-versions',
      'deployments',
      'release',
      'endpoint-monitoring',
      'drift',
      'pipeline',
      'runs',
      'metrics',
      'prediction',
      'dataset-upload',
    ].map(id => container.querySelector(`#${id}`));
    order.forEach(el => expect(el).not.toBeNull());
    for (let i = 1; i < order.length; i++) {
      // each card comes after the one before it in the document
      expect(
        order[i - 1]!.compareDocumentPosition(order[i]!) &
          Node.DOCUMENT_POSITION_FOLLOWING,
      ).toBeTruthy();
    }
    // in the tab a chip scrolls to its card instead of leaving the page
    expect(screen.getByTestId('glance-drift')).toHaveAttribute(
      'href',
      '#drift',
    );
  });

  it('opens deep links cold: ?version= reviews it, #card scrolls there, ?run= shows the run', async () => {
    const scrolled: string[] = [];
    Element.prototype.scrollIntoView = function scrollIntoView() {
      scrolled.push((this as Element).id);
    };
    const { unmount } = await renderWithEntity(<EntityMlopsContent />, {
      routeEntries: ['/?version=3#drift'],
    });
    const panel = await screen.findByTestId('review-panel');
    expect(within(panel).getByText(/Review version 3/)).toBeInTheDocument();
    await waitFor(() => expect(scrolled).toContain('drift'));
    unmount();
    await renderWithEntity(<EntityMlopsContent />, {
      routeEntries: ['/?run=exec-0003'],
    });
    expect(
      await screen.findByRole('button', { name: 'Close run details' }),
    ).toBeInTheDocument();
    expect(screen.queryByTestId('review-panel')).not.toBeInTheDocument();
  });
});
